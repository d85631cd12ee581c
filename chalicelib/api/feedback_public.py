"""``/widget/v1/feedback/{token}``: the public survey endpoints behind survey email links.

No API or widget key: the signed token is the credential and the only source of the tenant.
GET shows the survey (JSON, or the survey page when a browser asks for HTML) and never
records anything; POST records or changes the answer.
"""

from __future__ import annotations

from chalice.app import Blueprint, Response

from chalicelib.api import survey_page
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
        return survey_page.survey_html(feedback.show_survey(token, call.query, language).survey)
    except DomainError as error:
        locale = texts.pick_locale(call.query.lang, *texts.accept_language_locales(language))
        return survey_page.error_html(error, locale)


@operation(
    bp,
    "POST",
    "/widget/v1/feedback/{token}",
    summary="Answer a survey (score and comment)",
    tag=TAG,
    auth="none",
    body=PublicAnswer,
    response=PublicAnswerResult,
)
def answer_survey(call: Call, token: str) -> PublicAnswerResult:
    """First answer creates; within the edit window a second one updates; later 409."""
    return feedback.submit_answer(token, call.body, call.headers.get("accept-language"))


@operation(
    bp,
    "POST",
    "/widget/v1/feedback/{token}/unsubscribe",
    summary="Stop receiving surveys",
    tag=TAG,
    auth="none",
    response=UnsubscribeResult,
)
def unsubscribe(call: Call, token: str) -> UnsubscribeResult:
    """The link's customer receives no more surveys from this tenant."""
    return feedback.unsubscribe(token, call.headers.get("accept-language"))
