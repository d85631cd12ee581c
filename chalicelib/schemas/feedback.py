"""Surveys, survey responses, the public survey endpoints and feedback reports."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from chalicelib.schemas.common import ApiModel, ListQuery, Locale, Version

SurveyKind = Literal["csat", "nps", "ces"]
SubjectKindName = Literal["ticket", "appointment", "warranty", "customer"]
QuestionText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)
]
Comment = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
FacetValue = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128, pattern=r"^[^#]+$")
]
PriorityName = Literal["low", "normal", "high", "urgent"]


class LocalisedText(ApiModel):
    """Text per locale; a locale left out uses the built-in text."""

    # Strict: "yes" is not true and "5" is not 5.
    model_config = ApiModel.model_config | {"strict": True}

    en: QuestionText | None = None
    lt: QuestionText | None = None
    lv: QuestionText | None = None


class SurveyCreate(ApiModel):
    """A survey configuration. At most one survey of each kind is active at a time."""

    # Strict: "yes" is not true and "5" is not 5.
    model_config = ApiModel.model_config | {"strict": True}

    kind: SurveyKind
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    question: LocalisedText = Field(default_factory=LocalisedText)
    comment_enabled: bool = Field(default=True, description="Offer the comment question")
    comment_question: LocalisedText = Field(default_factory=LocalisedText)
    active: bool = True
    throttle_days: int = Field(
        default=30,
        ge=0,
        le=365,
        description="Survey a customer at most once per this many days (contact budget)",
    )


class SurveyUpdate(ApiModel):
    """A partial update of a survey (the kind cannot change). ``version`` or If-Match."""

    # Strict: "yes" is not true and "5" is not 5.
    model_config = ApiModel.model_config | {"strict": True}

    name: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
        | None
    ) = None
    question: LocalisedText | None = None
    comment_enabled: bool | None = None
    comment_question: LocalisedText | None = None
    active: bool | None = None
    throttle_days: int | None = Field(default=None, ge=0, le=365)
    version: Version | None = None


class Survey(ApiModel):
    """A survey configuration with its effective texts (built-ins filled in)."""

    id: str
    kind: SurveyKind
    name: str
    question: LocalisedText = Field(description="The tenant's own texts (null: built-in)")
    comment_enabled: bool
    comment_question: LocalisedText
    effective_question: dict[str, str]
    effective_comment_question: dict[str, str]
    active: bool
    throttle_days: int
    scale: ScaleInfo
    created_at: datetime
    updated_at: datetime
    version: int


class ScaleInfo(ApiModel):
    """The scores of a survey kind."""

    low: int
    high: int


class SurveyList(ApiModel):
    """One page of surveys."""

    items: list[Survey]
    next_cursor: str | None


# --- responses -------------------------------------------------------------------------------


class FeedbackResponse(ApiModel):
    """One answer to a survey invitation. ``customer_id`` is null when the tenant's feedback
    settings make reports anonymous."""

    id: str = Field(description="The id of the follow-up (survey invitation) answered")
    followup_id: str
    survey_id: str | None
    kind: SurveyKind
    score: int
    comment: str | None
    customer_id: str | None
    subject_kind: SubjectKindName
    subject_id: str
    agent: str | None = Field(
        description="Who the feedback is about: the ticket's assignee, or the visit's technician"
    )
    product_id: str | None
    appointment_kind: str | None = Field(
        default=None, description="The visit's kind, when the survey followed an appointment"
    )
    channel: str
    locale: str | None
    answered_at: datetime
    updated_at: datetime
    edit_count: int
    closed_loop_ticket_id: str | None
    version: int


class FeedbackList(ApiModel):
    """One page of responses, newest first."""

    items: list[FeedbackResponse]
    next_cursor: str | None


class FeedbackListQuery(ListQuery):
    """Filters of ``GET /v1/feedback``; dates are inclusive, in the tenant's time zone."""

    kind: SurveyKind | None = None
    min_score: int | None = Field(default=None, ge=0, le=10)
    max_score: int | None = Field(default=None, ge=0, le=10)
    answered_from: date | None = None
    answered_to: date | None = None
    agent: FacetValue | None = None
    product_id: FacetValue | None = None
    customer_id: FacetValue | None = None
    has_comment: bool | None = None

    @model_validator(mode="after")
    def _ranges(self) -> FeedbackListQuery:
        if (
            self.min_score is not None
            and self.max_score is not None
            and self.min_score > self.max_score
        ):
            raise ValueError("min_score cannot be above max_score")
        if self.answered_from and self.answered_to and self.answered_from > self.answered_to:
            raise ValueError("answered_from cannot be after answered_to")
        return self


# --- public survey endpoints -----------------------------------------------------------------


class PublicSurveyQuery(ApiModel):
    """``?score=`` from a one-click email link (shown preselected, never recorded by a GET) and
    ``?lang=`` to override the customer's language."""

    score: int | None = Field(default=None, ge=0, le=10)
    lang: Locale | None = None


class ScaleLabels(ApiModel):
    """The scale of a survey as shown to the customer."""

    low: int
    high: int
    low_label: str
    high_label: str


class PublicAnswerState(ApiModel):
    """The answer already given through this link."""

    score: int
    comment: str | None
    editable: bool
    editable_until: datetime


class PublicSurvey(ApiModel):
    """What a survey page shows: question and scale in the customer's language."""

    kind: SurveyKind
    locale: Locale
    company: str
    question: str
    comment_enabled: bool
    comment_question: str | None
    scale: ScaleLabels
    selected_score: int | None
    answer: PublicAnswerState | None
    unsubscribed: bool
    expires_at: datetime
    brand_color: str = Field(
        default="#1f6feb", description="The tenant's brand colour (settings general.brand_color)"
    )


class PublicAnswer(ApiModel):
    """A score (required for the first answer) and an optional comment."""

    # Strict: "yes" is not true and "5" is not 5.
    model_config = ApiModel.model_config | {"strict": True}

    score: int | None = Field(default=None, ge=0, le=10, strict=True)
    comment: Comment | None = None

    @model_validator(mode="after")
    def _something(self) -> PublicAnswer:
        if self.score is None and self.comment is None:
            raise ValueError("send a score, a comment or both")
        return self


class PublicAnswerResult(ApiModel):
    """The stored answer."""

    status: Literal["recorded", "updated"]
    kind: SurveyKind
    score: int
    comment: str | None
    editable_until: datetime
    message: str


class UnsubscribeResult(ApiModel):
    """The customer no longer receives surveys from this tenant."""

    unsubscribed: bool
    message: str


# --- survey opt-outs (tenant side) ------------------------------------------------------------


class SurveyOptOut(ApiModel):
    """A customer who asked not to receive surveys."""

    customer_id: str
    source: str
    created_at: datetime


class SurveyOptOutList(ApiModel):
    """One page of survey opt-outs."""

    items: list[SurveyOptOut]
    next_cursor: str | None


class SurveyOptOutCreate(ApiModel):
    """Opt a customer out of surveys (e.g. asked by phone)."""

    # Strict: "yes" is not true and "5" is not 5.
    model_config = ApiModel.model_config | {"strict": True}

    customer_id: FacetValue


# --- reports ---------------------------------------------------------------------------------


class FeedbackReportQuery(ApiModel):
    """``GET /v1/reports/feedback``: inclusive local dates (tenant time zone); default: the last
    30 days. ``group_by`` adds one row per agent or product."""

    date_from: date | None = Field(default=None, alias="from")
    date_to: date | None = Field(default=None, alias="to")
    granularity: Literal["day", "week", "month"] = "day"
    group_by: Literal["agent", "product"] | None = None
    kind: SurveyKind | None = None

    model_config = ApiModel.model_config | {"populate_by_name": False}


class CsatFigures(ApiModel):
    """CSAT: share of 4-5 answers and the average (1-5)."""

    responses: int
    satisfied: int
    satisfied_pct: float | None
    average: float | None
    sent: int
    response_rate_pct: float | None


class NpsFigures(ApiModel):
    """NPS = % promoters (9-10) - % detractors (0-6), from -100 to 100."""

    responses: int
    promoters: int
    passives: int
    detractors: int
    promoters_pct: float | None
    passives_pct: float | None
    detractors_pct: float | None
    nps: float | None
    sent: int
    response_rate_pct: float | None


class CesFigures(ApiModel):
    """CES average (1 = least effort) and the share of low-effort (1-3) answers."""

    responses: int
    low_effort: int
    low_effort_pct: float | None
    average: float | None
    sent: int
    response_rate_pct: float | None


class FeedbackFigures(ApiModel):
    """The figures of one bucket, group or total (a kind not asked for is null)."""

    csat: CsatFigures | None
    nps: NpsFigures | None
    ces: CesFigures | None


class FeedbackBucket(FeedbackFigures):
    """One day / ISO week / month."""

    bucket: str
    starts_on: date
    ends_on: date


class FeedbackGroup(FeedbackFigures):
    """One agent or product over the whole range."""

    key: str


class FeedbackReport(ApiModel):
    """Feedback figures for a date range, from counters (never from scanning responses)."""

    date_from: date
    date_to: date
    covered_from: date = Field(description="First day of the first bucket")
    covered_to: date = Field(description="Last day of the last bucket")
    granularity: str
    group_by: str | None
    totals: FeedbackFigures
    buckets: list[FeedbackBucket]
    groups: list[FeedbackGroup] | None


# --- tenant settings section -----------------------------------------------------------------


class ClosedLoopSettings(ApiModel):
    """Which answers open a follow-up ticket for the tenant, and how it looks."""

    # Strict: "yes" is not true and "5" is not 5.
    model_config = ApiModel.model_config | {"strict": True}

    enabled: bool = True
    nps_max: int = Field(default=6, ge=0, le=10, description="NPS at or below: detractor")
    csat_max: int = Field(default=2, ge=1, le=5, description="CSAT at or below")
    ces_min: int = Field(default=5, ge=1, le=7, description="CES at or above (high effort)")
    ces_enabled: bool = False
    priority: PriorityName = "high"
    assign_to_agent: bool = Field(
        default=True, description="Assign the ticket to the agent of the surveyed ticket"
    )


class FeedbackSettings(ApiModel):
    """Feedback settings of a tenant."""

    # Strict: "yes" is not true and "5" is not 5.
    model_config = ApiModel.model_config | {"strict": True}

    anonymous: bool = Field(
        default=False, description="Strip customer identity from response lists and exports"
    )
    edit_window_minutes: int = Field(
        default=30, ge=1, le=1440, description="How long a customer may change an answer"
    )
    closed_loop: ClosedLoopSettings = Field(default_factory=ClosedLoopSettings)


Survey.model_rebuild()
