"""Survey configurations: CSAT / NPS / CES surveys with per-locale texts and throttling.

A tenant may keep several surveys of a kind (seasonal wording, experiments) but at most one
is *active* per kind: the follow-up engine sends the active one. With no survey of a kind, the
built-in texts apply and no throttle of their own: the survey interval of the ``followups``
settings (``budget.survey_interval_days``, 30 days by default, shown by ``GET /v1/settings``)
is then the only one, so a tenant sees and changes it in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.domain.errors import Conflict, Invalid, NotFound, PreconditionRequired
from chalicelib.domain.ids import is_id, new_id
from chalicelib.domain.scores import SCALES, Metric
from chalicelib.i18n import surveys as texts
from chalicelib.schemas.feedback import (
    LocalisedText,
    ScaleInfo,
    Survey,
    SurveyCreate,
    SurveyList,
    SurveyUpdate,
)
from chalicelib.services.paging import next_cursor, page_request
from chalicelib.store import feedback as store
from chalicelib.store.base import utcnow

DEFAULT_THROTTLE_DAYS = 30


def _clean(text: LocalisedText | dict[str, Any] | None) -> dict[str, str]:
    data = text.model_dump() if isinstance(text, LocalisedText) else dict(text or {})
    return {locale: value for locale, value in data.items() if value}


def effective_texts(kind: str, custom: dict[str, str]) -> dict[str, str]:
    """The question per locale: the tenant's text where set, else the built-in one."""
    return {locale: custom.get(locale) or texts.QUESTIONS[kind][locale] for locale in texts.LOCALES}


def effective_comment_texts(custom: dict[str, str]) -> dict[str, str]:
    """The comment question per locale: the tenant's where set, else the built-in one."""
    return {
        locale: custom.get(locale) or texts.COMMENT_QUESTION[locale] for locale in texts.LOCALES
    }


def to_survey(item: store.SurveyItem) -> Survey:
    """Response model of a survey."""
    scale = SCALES[Metric(item.kind)]
    questions, comments = dict(item.questions or {}), dict(item.comment_questions or {})
    return Survey(
        id=item.survey_id,
        kind=item.kind,  # type: ignore[arg-type]
        name=item.name,
        question=LocalisedText.model_validate(questions),
        comment_enabled=bool(item.comment_enabled),
        comment_question=LocalisedText.model_validate(comments),
        effective_question=effective_texts(item.kind, questions),
        effective_comment_question=effective_comment_texts(comments),
        active=bool(item.active),
        throttle_days=int(item.throttle_days),
        scale=ScaleInfo(low=scale.low, high=scale.high),
        created_at=item.created_at,
        updated_at=item.updated_at,
        version=int(item.version),
    )


def _not_found(survey_id: str) -> NotFound:
    return NotFound(f"no survey with id {survey_id}", code="survey_not_found")


def _load(tenant_id: str, survey_id: str) -> store.SurveyItem:
    item = store.get_survey(tenant_id, survey_id) if is_id(survey_id) else None
    if item is None:
        raise _not_found(survey_id)
    return item


def create_survey(tenant_id: str, request: SurveyCreate) -> Survey:
    """Create a survey; an active one is refused (409) while another of its kind is active."""
    if store.count_surveys(tenant_id) >= store.MAX_SURVEYS:
        raise Conflict(
            f"a tenant can keep at most {store.MAX_SURVEYS} surveys; delete unused ones",
            code="too_many_surveys",
        )
    now = utcnow()
    survey_id = new_id()
    item = store.SurveyItem(
        pk=store.survey_pk(tenant_id),
        sk=survey_id,
        tenant_id=tenant_id,
        survey_id=survey_id,
        kind=request.kind,
        name=request.name,
        questions=_clean(request.question),
        comment_enabled=request.comment_enabled,
        comment_questions=_clean(request.comment_question),
        active=request.active,
        throttle_days=request.throttle_days,
        created_at=now,
        updated_at=now,
        version=1,
    )
    return to_survey(store.save_survey(item, expected_version=None, was_active=False))


def get_survey(tenant_id: str, survey_id: str) -> Survey:
    """One survey, or 404."""
    return to_survey(_load(tenant_id, survey_id))


def list_surveys(tenant_id: str, limit: int | None, cursor: str | None) -> SurveyList:
    """A page of surveys, oldest first."""
    size, start = page_request(tenant_id, "surveys", limit, cursor)
    page = store.list_surveys(tenant_id, size, start)
    return SurveyList(
        items=[to_survey(i) for i in page.items],
        next_cursor=next_cursor(tenant_id, "surveys", page),
    )


def _expected_version(body_version: int | None, if_match: int | None) -> int:
    if body_version and if_match and body_version != if_match:
        raise Invalid("'version' and If-Match disagree", code="version_mismatch")
    expected = body_version or if_match
    if expected is None:
        raise PreconditionRequired(
            "send the version you are updating, as 'version' or an If-Match header"
        )
    return expected


def update_survey(
    tenant_id: str, survey_id: str, request: SurveyUpdate, if_match: int | None
) -> Survey:
    """Apply a partial update conditional on the version (stale: 409)."""
    expected = _expected_version(request.version, if_match)
    current = _load(tenant_id, survey_id)
    if int(current.version) != expected:
        from chalicelib.domain.errors import VersionConflict

        raise VersionConflict(
            f"the survey is at version {current.version}, not {expected}; fetch it and retry"
        )
    changes = request.model_dump(exclude_unset=True, exclude={"version"})
    for name in ("name", "comment_enabled", "active", "throttle_days"):
        if name in changes and changes[name] is None:
            raise Invalid(f"{name} cannot be null", code="validation_failed")
    if not changes:
        return to_survey(current)
    updated = store.SurveyItem.from_raw_data(current.serialize())
    if "question" in changes:
        updated.questions = _clean(request.question)
    if "comment_question" in changes:
        updated.comment_questions = _clean(request.comment_question)
    for name in ("name", "comment_enabled", "active", "throttle_days"):
        if name in changes:
            setattr(updated, name, changes[name])
    updated.version = expected + 1
    updated.updated_at = utcnow()
    saved = store.save_survey(updated, expected_version=expected, was_active=bool(current.active))
    return to_survey(saved)


def delete_survey(tenant_id: str, survey_id: str) -> None:
    """Delete a survey configuration (its responses stay, with their survey id)."""
    store.delete_survey(_load(tenant_id, survey_id))


@dataclass(frozen=True)
class SurveyTexts:
    """What the survey of a kind says in one locale (for emails and the survey page)."""

    survey_id: str | None
    kind: str
    locale: str
    question: str
    comment_enabled: bool
    comment_question: str | None
    throttle_days: int
    low_label: str
    high_label: str


def texts_for(item: store.SurveyItem | None, kind: str, locale: str, company: str) -> SurveyTexts:
    """A survey's texts in ``locale`` (built-ins when ``item`` is None), company filled in."""
    questions = dict(item.questions or {}) if item else {}
    comments = dict(item.comment_questions or {}) if item else {}
    comment_enabled = bool(item.comment_enabled) if item else True
    low, high = texts.SCALE_LABELS[kind][locale]
    return SurveyTexts(
        survey_id=item.survey_id if item else None,
        kind=kind,
        locale=locale,
        question=texts.fill(effective_texts(kind, questions)[locale], company),
        comment_enabled=comment_enabled,
        comment_question=(
            texts.fill(effective_comment_texts(comments)[locale], company)
            if comment_enabled
            else None
        ),
        # Built-ins add no throttle of their own: the settings' survey interval governs.
        throttle_days=int(item.throttle_days) if item else 0,
        low_label=low,
        high_label=high,
    )


def survey_for_sending(tenant_id: str, kind: str, locale: str, company: str) -> SurveyTexts | None:
    """The active survey of ``kind`` in ``locale`` for the follow-up engine.

    Built-in texts when the tenant never configured a survey of the kind; None when the tenant
    has surveys of the kind but none is active (surveys of that kind are switched off).
    """
    survey_id = store.active_survey_id(tenant_id, kind)
    item = store.get_survey(tenant_id, survey_id) if survey_id else None
    if item is None and _has_surveys_of_kind(tenant_id, kind):
        return None
    return texts_for(item, kind, texts.pick_locale(locale), company)


def _has_surveys_of_kind(tenant_id: str, kind: str) -> bool:
    page = store.list_surveys(tenant_id, store.MAX_SURVEYS, None)
    return any(i.kind == kind for i in page.items)
