"""Survey responses: the public one-click answer flow, the tenant's response lists, survey
opt-outs and the "surveys sent" counters.

The public endpoints carry no API or widget key: the signed survey-link token is the
credential and the only source of the tenant id. A GET never records anything (email link
scanners follow links); answers are recorded by POST, which the survey page sends itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from aws_lambda_powertools.metrics import MetricUnit

from chalicelib import context
from chalicelib.domain import survey_answers as answers
from chalicelib.domain.contact_budget import load_time_zone
from chalicelib.domain.errors import (
    BadRequest,
    Conflict,
    Gone,
    Invalid,
    NotFound,
    Unavailable,
    VersionConflict,
)
from chalicelib.domain.scores import (
    SCALES,
    ClosedLoopThresholds,
    Metric,
    needs_closed_loop,
    validate_score,
)
from chalicelib.domain.survey_tokens import SurveyGrant, verify_grant
from chalicelib.i18n import surveys as texts
from chalicelib.notify.events import DomainEvent
from chalicelib.observability import get_metrics, logger
from chalicelib.schemas.feedback import (
    FeedbackList,
    FeedbackListQuery,
    FeedbackResponse,
    FeedbackSettings,
    PublicAnswer,
    PublicAnswerResult,
    PublicAnswerState,
    PublicSurvey,
    PublicSurveyQuery,
    ScaleLabels,
    SurveyOptOut,
    SurveyOptOutList,
    UnsubscribeResult,
)
from chalicelib.schemas.settings import GeneralSettings
from chalicelib.services.paging import next_cursor, page_request
from chalicelib.services.survey_links import survey_key
from chalicelib.services.surveys import SurveyTexts, texts_for
from chalicelib.store import feedback as store
from chalicelib.store.base import utcnow

MAX_ANSWER_ATTEMPTS = 3


# --- the invitation behind a token -----------------------------------------------------------


@dataclass
class Invitation:
    """A verified survey link with everything its page and answers need."""

    grant: SurveyGrant
    metric: Metric
    state: store.InvitationState
    settings: FeedbackSettings
    company: str
    time_zone: ZoneInfo


def _invalid_link() -> BadRequest:
    return BadRequest(
        "this survey link is not valid; use the link from your email", code="invalid_survey_link"
    )


def open_link(token: str, now: datetime | None = None) -> Invitation:
    """Verify ``token`` (400 forged, 410 expired), bind its tenant and load the invitation.

    A tenant that no longer exists or is not active closes its links (410 ``survey_closed``).
    """
    if not token or len(token) > 2048:
        raise _invalid_link()
    grant = verify_grant(survey_key(), token, now or utcnow())
    try:
        metric = Metric(grant.survey_kind)
    except ValueError as exc:
        raise _invalid_link() from exc
    # The tenant comes from the verified token only; from here on the tenancy guard holds
    # every DynamoDB call of this request to it.
    context.bind_tenant(grant.tenant_id)
    logger.append_keys(tenant_id=grant.tenant_id)
    state = store.load_invitation(
        grant.tenant_id,
        followup_id=grant.followup_id,
        customer_id=grant.customer_id,
        kind=grant.survey_kind,
        survey_id=grant.survey_id,
    )
    if state.tenant is None or state.tenant.status != "active":
        raise Gone("this survey is no longer available", code="survey_closed")
    return Invitation(
        grant=grant,
        metric=metric,
        state=state,
        settings=FeedbackSettings.model_validate(state.settings or {}),
        company=state.tenant.name,
        time_zone=load_time_zone(state.tenant.time_zone) or ZoneInfo("UTC"),
    )


def _locale(invitation: Invitation, requested: str | None, accept_language: str | None) -> str:
    customer = invitation.state.customer
    return texts.pick_locale(
        requested,
        customer.locale if customer else None,
        *texts.accept_language_locales(accept_language),
        invitation.state.tenant.default_locale,
    )


def _brand_color(invitation: Invitation) -> str:
    """The tenant's brand colour (validated ``#rrggbb``), else the default."""
    return GeneralSettings.model_validate(invitation.state.general or {}).brand_color


def _texts(invitation: Invitation, locale: str) -> SurveyTexts:
    return texts_for(invitation.state.survey, invitation.metric.value, locale, invitation.company)


def _window(settings: FeedbackSettings) -> timedelta:
    return timedelta(minutes=settings.edit_window_minutes)


def _answer_state(
    item: store.ResponseItem | None, settings: FeedbackSettings, now: datetime
) -> PublicAnswerState | None:
    if item is None:
        return None
    until = answers.editable_until(item.answered_at, _window(settings))
    return PublicAnswerState(
        score=int(item.score), comment=item.comment, editable=now < until, editable_until=until
    )


@dataclass(frozen=True)
class SurveyPage:
    """A survey as shown to the customer, with the survey texts for rendering."""

    survey: PublicSurvey
    texts: SurveyTexts


def show_survey(
    token: str, query: PublicSurveyQuery, accept_language: str | None = None
) -> SurveyPage:
    """The question and scale in the customer's language (records nothing)."""
    now = utcnow()
    invitation = open_link(token, now)
    locale = _locale(invitation, query.lang, accept_language)
    survey_texts = _texts(invitation, locale)
    scale = SCALES[invitation.metric]
    selected = query.score
    if selected is not None:
        validate_score(invitation.metric, selected)
    return SurveyPage(
        survey=PublicSurvey(
            kind=invitation.metric.value,
            locale=locale,  # type: ignore[arg-type]
            company=invitation.company,
            question=survey_texts.question,
            comment_enabled=survey_texts.comment_enabled,
            comment_question=survey_texts.comment_question,
            scale=ScaleLabels(
                low=scale.low,
                high=scale.high,
                low_label=survey_texts.low_label,
                high_label=survey_texts.high_label,
            ),
            selected_score=selected,
            answer=_answer_state(invitation.state.response, invitation.settings, now),
            unsubscribed=invitation.state.opted_out,
            expires_at=datetime.fromtimestamp(invitation.grant.expires_at, UTC),
            brand_color=_brand_color(invitation),
        ),
        texts=survey_texts,
    )


# --- answering -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attribution:
    """Who and what a response is about: the reports by agent and by product count it there."""

    agent: str | None = None
    product_id: str | None = None
    appointment_kind: str | None = None


def _attribution(tenant_id: str, grant: SurveyGrant) -> Attribution:
    """The agent and product of the surveyed subject: a ticket's assignee and product; a
    visit's technician, product and kind (one read of the subject; none for other subjects)."""
    if grant.subject_kind == "ticket":
        from chalicelib.services import tickets

        try:
            ticket = tickets.get_ticket(tenant_id, grant.subject_id)
        except NotFound:
            return Attribution()
        return Attribution(agent=ticket.assignee, product_id=ticket.product_id)
    if grant.subject_kind == "appointment":
        from chalicelib.services import appointments

        try:
            visit = appointments.load_appointment(tenant_id, grant.subject_id).data
        except NotFound:
            return Attribution()
        return Attribution(
            agent=visit.get("technician"),
            product_id=visit.get("product_id"),
            appointment_kind=visit.get("kind"),
        )
    return Attribution()


def _counter_changes(item: store.ResponseItem, deltas: dict[str, int]) -> list[store.CounterChange]:
    if not deltas:
        return []
    return [
        store.CounterChange(target.dimension, target.sort_key, deltas)
        for target in answers.counter_targets(
            dict(item.buckets or {}), agent=item.agent, product=item.product_id
        )
    ]


def _comment(value: str | None) -> str | None:
    return value.strip() or None if value is not None else None


def submit_answer(
    token: str, body: PublicAnswer, accept_language: str | None = None
) -> PublicAnswerResult:
    """Record the first answer, or change it within the edit window (counters move by the
    difference); after the window 409 ``survey_already_answered``."""
    now = utcnow()
    invitation = open_link(token, now)
    locale = _locale(invitation, None, accept_language)
    survey_texts = _texts(invitation, locale)
    if body.score is not None:
        validate_score(invitation.metric, body.score)
    if body.comment and not survey_texts.comment_enabled:
        raise Invalid("this survey does not take comments", code="comments_disabled")
    existing = invitation.state.response
    tenant_id, followup_id = invitation.grant.tenant_id, invitation.grant.followup_id
    previous: store.ResponseItem | None = None
    for _attempt in range(MAX_ANSWER_ATTEMPTS):
        if existing is None:
            try:
                item = _first_answer(invitation, body, survey_texts, locale, now)
                break
            except Conflict as exc:
                # A concurrent first answer won: this one becomes an edit of it.
                if exc.code != "survey_already_answered":
                    raise
                existing = store.get_response(tenant_id, followup_id)
                if existing is None:
                    raise
                continue
        answers.decide_answer(existing.answered_at, now, _window(invitation.settings))
        try:
            item, previous = _change_answer(invitation, existing, body, now)
            break
        except VersionConflict:
            existing = store.get_response(tenant_id, followup_id)
    else:
        raise Unavailable("the answer is being changed concurrently; retry", retry_after=1)
    _after_answer(invitation, item, previous)
    until = answers.editable_until(item.answered_at, _window(invitation.settings))
    return PublicAnswerResult(
        status="recorded" if previous is None else "updated",
        kind=invitation.metric.value,
        score=int(item.score),
        comment=item.comment,
        editable_until=until,
        message=texts.page_text("recorded", locale),
    )


def _first_answer(
    invitation: Invitation,
    body: PublicAnswer,
    survey_texts: SurveyTexts,
    locale: str,
    now: datetime,
) -> store.ResponseItem:
    grant = invitation.grant
    if body.score is None:
        raise Invalid("the first answer needs a score", code="score_required")
    about = _attribution(grant.tenant_id, grant)
    item = store.ResponseItem(
        pk=store.response_pk(grant.tenant_id),
        sk=grant.followup_id,
        tenant_id=grant.tenant_id,
        followup_id=grant.followup_id,
        survey_id=survey_texts.survey_id or grant.survey_id,
        kind=invitation.metric.value,
        score=body.score,
        comment=_comment(body.comment),
        customer_id=grant.customer_id,
        subject_kind=grant.subject_kind,
        subject_id=grant.subject_id,
        agent=about.agent,
        product_id=about.product_id,
        appointment_kind=about.appointment_kind,
        channel="email",
        locale=locale,
        buckets=answers.response_buckets(now, invitation.time_zone),
        answered_at=now,
        updated_at=now,
        edit_count=0,
        version=1,
    )
    _index(item)
    deltas = answers.first_answer_delta(invitation.metric, body.score)
    return store.save_response(item, expected_version=None, counters=_counter_changes(item, deltas))


def _change_answer(
    invitation: Invitation, existing: store.ResponseItem, body: PublicAnswer, now: datetime
) -> tuple[store.ResponseItem, store.ResponseItem]:
    updated = store.ResponseItem.from_raw_data(existing.serialize())
    old_score = int(existing.score)
    new_score = body.score if body.score is not None else old_score
    updated.score = new_score
    if body.comment is not None:
        updated.comment = _comment(body.comment)
    if new_score == old_score and updated.comment == existing.comment:
        return existing, existing
    updated.updated_at = now
    updated.edit_count = int(existing.edit_count or 0) + 1
    updated.version = int(existing.version) + 1
    deltas = answers.change_delta(invitation.metric, old_score, new_score)
    saved = store.save_response(
        updated,
        expected_version=int(existing.version),
        counters=_counter_changes(existing, deltas),
    )
    return saved, existing


def _index(item: store.ResponseItem) -> None:
    """Set the list-index keys of a response."""
    tenant_id = item.tenant_id
    item.rsk = f"{_iso(item.answered_at)}#{item.followup_id}"
    item.gsi1pk = store.responses_facet(tenant_id)
    item.gsi2pk = store.responses_facet(tenant_id, "kind", item.kind)
    item.gsi3pk = store.responses_facet(tenant_id, "agent", item.agent) if item.agent else None
    item.gsi4pk = (
        store.responses_facet(tenant_id, "product", item.product_id) if item.product_id else None
    )
    item.gsi5pk = store.responses_facet(tenant_id, "customer", item.customer_id)


def _iso(instant: datetime) -> str:
    return instant.astimezone(UTC).isoformat(timespec="milliseconds")


def _after_answer(
    invitation: Invitation, item: store.ResponseItem, previous: store.ResponseItem | None
) -> None:
    """Events and the closed loop; failures here never undo the stored answer."""
    if previous is item:
        return  # nothing changed
    from chalicelib.services.reactions import emit

    name = "feedback.received" if previous is None else "feedback.updated"
    data = {
        "followup_id": item.followup_id,
        "kind": item.kind,
        "score": int(item.score),
        "previous_score": int(previous.score) if previous is not None else None,
        "has_comment": bool(item.comment),
        "subject_kind": item.subject_kind,
        "subject_id": item.subject_id,
        "agent": item.agent,
        "product_id": item.product_id,
        "appointment_kind": item.appointment_kind,
    }
    emit([DomainEvent(item.tenant_id, name, data)])
    try:
        from chalicelib.services.closed_loop import follow_up

        follow_up(item, previous, invitation.settings.closed_loop)
    except Exception:
        logger.exception("closed-loop follow-up failed", extra={"followup_id": item.followup_id})
        get_metrics().add_metric(name="ClosedLoopFailed", unit=MetricUnit.Count, value=1)


def closed_loop_due(metric: Metric, score: int, settings: Any) -> bool:
    """Whether ``score`` opens a closed-loop ticket under the tenant's settings."""
    if not settings.enabled:
        return False
    if metric is Metric.CES and not settings.ces_enabled:
        return False
    thresholds = ClosedLoopThresholds(
        nps_max=settings.nps_max, csat_max=settings.csat_max, ces_min=settings.ces_min
    )
    return needs_closed_loop(metric, score, thresholds)


# --- unsubscribe -----------------------------------------------------------------------------


def unsubscribe(token: str, accept_language: str | None = None) -> UnsubscribeResult:
    """The customer of the link asks for no more surveys (honoured by the contact budget)."""
    invitation = open_link(token)
    grant = invitation.grant
    store.put_optout(
        store.OptOutItem(
            pk=store.optout_pk(grant.tenant_id),
            sk=grant.customer_id,
            tenant_id=grant.tenant_id,
            customer_id=grant.customer_id,
            created_at=utcnow(),
            source="survey_link",
        )
    )
    locale = _locale(invitation, None, accept_language)
    return UnsubscribeResult(unsubscribed=True, message=texts.page_text("unsubscribed", locale))


def is_opted_out(tenant_id: str, customer_id: str) -> bool:
    """Whether the customer asked not to receive surveys (the contact budget's rule 2)."""
    return store.get_optout(tenant_id, customer_id) is not None


def _to_optout(item: store.OptOutItem) -> SurveyOptOut:
    return SurveyOptOut(
        customer_id=item.customer_id, source=item.source, created_at=item.created_at
    )


def add_optout(tenant_id: str, customer_id: str) -> SurveyOptOut:
    """Opt a customer out of surveys on their behalf (404 for an unknown customer)."""
    from chalicelib.services import customers

    customers.get_customer(tenant_id, customer_id)
    item = store.OptOutItem(
        pk=store.optout_pk(tenant_id),
        sk=customer_id,
        tenant_id=tenant_id,
        customer_id=customer_id,
        created_at=utcnow(),
        source="api",
    )
    store.put_optout(item)
    return _to_optout(store.get_optout(tenant_id, customer_id) or item)


def remove_optout(tenant_id: str, customer_id: str) -> None:
    """Let a customer receive surveys again (404 when they were not opted out)."""
    if not store.delete_optout(tenant_id, customer_id):
        raise NotFound(
            f"customer {customer_id} is not opted out of surveys", code="optout_not_found"
        )


def list_optouts(tenant_id: str, limit: int | None, cursor: str | None) -> SurveyOptOutList:
    """A page of customers opted out of surveys."""
    size, start = page_request(tenant_id, "survey-optouts", limit, cursor)
    page = store.list_optouts(tenant_id, size, start)
    return SurveyOptOutList(
        items=[_to_optout(i) for i in page.items],
        next_cursor=next_cursor(tenant_id, "survey-optouts", page),
    )


# --- surveys sent (response rate) ------------------------------------------------------------


def record_survey_sent(
    tenant_id: str,
    kind: str,
    sent_at: datetime,
    *,
    time_zone: str | None = None,
    agent: str | None = None,
    product_id: str | None = None,
) -> None:
    """Count one survey sent (the response rate's denominator); the follow-up worker calls it
    once per survey email, after the send succeeded."""
    metric = Metric(kind)
    zone = load_time_zone(time_zone) if time_zone else None
    if zone is None:
        from chalicelib.store.tenants import get_tenant

        tenant = get_tenant(tenant_id)
        zone = load_time_zone(tenant.time_zone if tenant else None) or ZoneInfo("UTC")
    buckets = answers.response_buckets(sent_at, zone)
    deltas = {answers.sent_attribute(metric): 1}
    store.add_counters(
        tenant_id,
        [
            store.CounterChange(t.dimension, t.sort_key, deltas)
            for t in answers.counter_targets(buckets, agent=agent, product=product_id)
        ],
    )


# --- the tenant's view -----------------------------------------------------------------------


def feedback_settings(tenant_id: str) -> FeedbackSettings:
    """The tenant's feedback settings (defaults when never changed)."""
    from chalicelib.services.settings import section_values

    return section_values(tenant_id, FeedbackSettings, "feedback")


def to_response(item: store.ResponseItem, *, anonymous: bool) -> FeedbackResponse:
    """Response model of a stored response (customer identity stripped when anonymous)."""
    return FeedbackResponse(
        id=item.followup_id,
        followup_id=item.followup_id,
        survey_id=item.survey_id,
        kind=item.kind,  # type: ignore[arg-type]
        score=int(item.score),
        comment=item.comment,
        customer_id=None if anonymous else item.customer_id,
        subject_kind=item.subject_kind,  # type: ignore[arg-type]
        subject_id=item.subject_id,
        agent=item.agent,
        product_id=item.product_id,
        appointment_kind=item.appointment_kind,
        channel=item.channel,
        locale=item.locale,
        answered_at=item.answered_at,
        updated_at=item.updated_at,
        edit_count=int(item.edit_count or 0),
        closed_loop_ticket_id=item.closed_loop_ticket_id,
        version=int(item.version),
    )


_RESPONSE_ID_CHARS = frozenset("0123456789ABCDEFGHJKMNPQRSTVWXYZabcdefghijklmnopqrstuvwxyz-_")


def get_feedback(tenant_id: str, response_id: str) -> FeedbackResponse:
    """One response (its id is the id of the follow-up answered), or 404."""
    item = None
    if 0 < len(response_id) <= 64 and set(response_id) <= _RESPONSE_ID_CHARS:
        item = store.get_response(tenant_id, response_id)
    if item is None:
        raise NotFound(f"no feedback with id {response_id}", code="feedback_not_found")
    return to_response(item, anonymous=feedback_settings(tenant_id).anonymous)


def _day_bounds(
    tenant_id: str, first: date | None, last: date | None
) -> tuple[str | None, str | None]:
    if first is None and last is None:
        return None, None
    from chalicelib.store.tenants import get_tenant

    tenant = get_tenant(tenant_id)
    zone = load_time_zone(tenant.time_zone if tenant else None) or ZoneInfo("UTC")
    low = _iso(datetime.combine(first, time(0), zone)) if first else None
    high = _iso(datetime.combine(last + timedelta(days=1), time(0), zone)) if last else None
    return low, high


def list_feedback(tenant_id: str, query: FeedbackListQuery) -> FeedbackList:
    """A page of responses, newest first: one Query on the most selective index."""
    settings = feedback_settings(tenant_id)
    if query.customer_id and settings.anonymous:
        raise Invalid(
            "feedback is anonymous for this tenant; it cannot be filtered by customer",
            code="anonymous_feedback",
        )
    index, hash_key, used = _pick_index(tenant_id, query)
    low, high = _day_bounds(tenant_id, query.answered_from, query.answered_to)
    scope = "feedback:" + query.model_dump_json(exclude={"limit", "cursor"})
    size, start = page_request(tenant_id, scope, query.limit, query.cursor)
    page = store.list_responses(
        tenant_id,
        index=index,
        hash_key=hash_key,
        limit=size,
        start_key=start,
        low=low,
        high=high,
        filter_condition=_filters(query, used),
    )
    return FeedbackList(
        items=[to_response(i, anonymous=settings.anonymous) for i in page.items],
        next_cursor=next_cursor(tenant_id, scope, page),
    )


def _pick_index(tenant_id: str, query: FeedbackListQuery) -> tuple[str, str, str | None]:
    for facet, index, value in (
        ("customer", "by_customer", query.customer_id),
        ("agent", "by_agent", query.agent),
        ("product", "by_product", query.product_id),
        ("kind", "by_kind", query.kind),
    ):
        if value:
            return index, store.responses_facet(tenant_id, facet, value), facet
    return "by_time", store.responses_facet(tenant_id), None


def _filters(query: FeedbackListQuery, used: str | None) -> Any:
    item = store.ResponseItem
    conditions: list[Any] = []
    if query.kind and used != "kind":
        conditions.append(item.kind == query.kind)
    if query.agent and used != "agent":
        conditions.append(item.agent == query.agent)
    if query.product_id and used != "product":
        conditions.append(item.product_id == query.product_id)
    if query.min_score is not None:
        conditions.append(item.score >= query.min_score)
    if query.max_score is not None:
        conditions.append(item.score <= query.max_score)
    if query.has_comment is True:
        conditions.append(item.comment.exists())
    elif query.has_comment is False:
        conditions.append(item.comment.does_not_exist())
    combined = None
    for condition in conditions:
        combined = condition if combined is None else combined & condition
    return combined
