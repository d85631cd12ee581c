"""``/widget/v1/feedback/{token}``: the public survey endpoints behind survey email links.

No API or widget key: the signed token is the credential and the only source of the tenant.
GET shows the survey (JSON, or the survey page when a browser asks for HTML) and never
records anything; POST records or changes the answer. The page's HTML forms post here too
(``application/x-www-form-urlencoded``, no JavaScript needed) and get the page back.
"""

from __future__ import annotations

from chalice.app import Blueprint, Response

from chalicelib.api import survey_page
from chalicelib.api.problems import status_for
from chalicelib.api.routing import Call, operation
from chalicelib.domain.errors import DomainError
from chalicelib.i18n import surveys as texts
from chalicelib.schemas.feedback import (
    PublicAnswer,
    PublicAnswerResult,
    PublicSurvey,
    PublicSurveyQuery,
    UnsubscribeResult,
)
from chalicelib.services import feedback

bp = Blueprint(__name__)
TAG = "survey links"


@operation(
    bp,
    "GET",
    "/widget/v1/feedback/{token}",
    summary="Show a survey (question and scale in the customer's language)",
    tag=TAG,
    auth="none",
    query=PublicSurveyQuery,
    response=PublicSurvey,
)
def show_survey(call: Call, token: str) -> PublicSurvey | Response:
    """``Accept: text/html`` gets the survey page, which records the link's score by POST."""
    language = call.headers.get("accept-language")
    if not survey_page.wants_html(call.headers.get("accept")):
        return feedback.show_survey(token, call.query, language).survey
    try:
        return survey_page.survey_html(
            feedback.show_survey(token, call.query, language).survey, token
        )
    except DomainError as error:
        locale = texts.pick_locale(call.query.lang, *texts.accept_language_locales(language))
        return survey_page.error_html(error, locale)


def _refused_form(error: DomainError, headers: dict[str, str], token: str) -> Response:
    """A refused form post (invalid fields, a closed survey...): the page, saying why."""
    language = headers.get("accept-language")
    try:
        survey = feedback.show_survey(token, PublicSurveyQuery(), language).survey
    except DomainError as unusable:
        return survey_page.error_html(unusable, texts.pick_locale(*_locales(language)))
    return survey_page.survey_html(survey, token, problem_code=error.code, status=status_for(error))


@operation(
    bp,
    "POST",
    "/widget/v1/feedback/{token}",
    summary="Answer a survey (score and comment)",
    tag=TAG,
    auth="none",
    body=PublicAnswer,
    response=PublicAnswerResult,
    form=True,
    form_problem=_refused_form,
)
def answer_survey(call: Call, token: str) -> PublicAnswerResult | Response:
    """First answer creates; within the edit window a second one updates; later 409.

    A form post (the survey page without JavaScript) gets the page back, saying what happened.
    """
    language = call.headers.get("accept-language")
    if not survey_page.is_form_post(call.headers):
        return feedback.submit_answer(token, call.body, language)
    return _answer_page(token, call.body, language)


def _answer_page(token: str, answer: PublicAnswer, language: str | None) -> Response:
    # A refused answer raises; the routing layer renders it with _refused_form.
    result = feedback.submit_answer(token, answer, language)
    survey = feedback.show_survey(token, PublicSurveyQuery(), language).survey
    notice = f"{result.message} {texts.page_text('can_change', survey.locale)}"
    return survey_page.survey_html(survey, token, notice=notice)


def _locales(language: str | None) -> list[str]:
    return texts.accept_language_locales(language)


@operation(
    bp,
    "POST",
    "/widget/v1/feedback/{token}/unsubscribe",
    summary="Stop receiving surveys",
    tag=TAG,
    auth="none",
    response=UnsubscribeResult,
    form=True,
    form_problem=_refused_form,
)
def unsubscribe(call: Call, token: str) -> UnsubscribeResult | Response:
    """The link's customer receives no more surveys from this tenant (a form post: a page)."""
    language = call.headers.get("accept-language")
    if not survey_page.is_form_post(call.headers):
        return feedback.unsubscribe(token, language)
    done = feedback.unsubscribe(token, language)
    survey = feedback.show_survey(token, PublicSurveyQuery(), language).survey
    return survey_page.message_html(survey.locale, done.message, survey.brand_color)
