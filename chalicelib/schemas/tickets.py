"""Ticket, message, attachment and audit request/response bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, model_validator

from chalicelib.schemas.common import ApiModel, Email, ListQuery, Name, Version

StatusName = Literal["new", "open", "pending", "on_hold", "solved", "closed"]
PriorityName = Literal["low", "normal", "high", "urgent"]
TypeName = Literal[
    "question",
    "incident",
    "problem",
    "complaint",
    "warranty_claim",
    "maintenance",
    "installation",
    "training",
    "request",
]
ChannelName = Literal["api", "widget", "email", "phone"]
EntitlementName = Literal["covered", "chargeable", "unknown"]
ActorKindName = Literal["agent", "customer", "system"]
VisibilityName = Literal["public", "internal"]
SlaStateName = Literal["ok", "warning", "breached", "none"]

Ulid = Annotated[str, StringConstraints(pattern=r"^[0-9A-HJKMNP-TV-Z]{26}$")]
Subject = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=250)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=50_000)]
Tag = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        to_lower=True,
        min_length=1,
        max_length=50,
        pattern=r"^[A-Za-z0-9_.:-]+$",
    ),
]
AgentRef = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128, pattern=r"^[^#]+$")
]
ReferenceId = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")
]
SerialNumber = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)
]
Tier = Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=r"^[a-z0-9_-]+$")]
CustomFieldValues = dict[Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")], Any]

MAX_TAGS = 20


class ActorModel(ApiModel):
    """Who did something."""

    kind: ActorKindName
    id: str | None = Field(default=None, max_length=128)
    name: str | None = Field(default=None, max_length=200)


class TicketCreate(ApiModel):
    """A new ticket. Name the customer by ``customer_id``, or by ``customer_email`` (and
    ``customer_name``) to find the customer with that email or create them."""

    subject: Subject
    description: Text
    customer_id: Ulid | None = None
    customer_email: Email | None = None
    customer_name: Name | None = None
    channel: ChannelName = "api"
    type: TypeName = "question"
    priority: PriorityName = "normal"
    status: Literal["new", "open", "pending", "on_hold"] = "new"
    assignee: AgentRef | None = None
    group: AgentRef | None = None
    tags: list[Tag] = Field(default_factory=list, max_length=MAX_TAGS)
    custom_fields: CustomFieldValues = Field(default_factory=dict)
    product_id: ReferenceId | None = None
    warranty_id: ReferenceId | None = None
    appointment_id: ReferenceId | None = None
    serial_number: SerialNumber | None = None
    entitlement: EntitlementName | None = Field(
        default=None, description="Set from the linked warranty when omitted"
    )
    customer_tier: Tier | None = Field(
        default=None, description="The customer's service tier; SLA policies may select on it"
    )
    internal: bool = Field(
        default=False,
        description="Kept from the customer: never listed or readable in the support widget "
        "(system tickets such as the closed-loop follow-up are opened internal)",
    )

    @model_validator(mode="after")
    def _one_customer(self) -> TicketCreate:
        if self.customer_id and (self.customer_email or self.customer_name):
            raise ValueError("give either customer_id or customer_email/customer_name, not both")
        if not self.customer_id and not self.customer_email:
            raise ValueError("a ticket needs a customer: customer_id or customer_email")
        return self


class TicketUpdate(ApiModel):
    """A partial update (status changes included). ``version`` or ``If-Match`` is required."""

    subject: Subject | None = None
    status: StatusName | None = None
    type: TypeName | None = None
    priority: PriorityName | None = None
    assignee: AgentRef | None = None
    group: AgentRef | None = None
    tags: list[Tag] | None = Field(default=None, max_length=MAX_TAGS)
    custom_fields: CustomFieldValues | None = None
    product_id: ReferenceId | None = None
    warranty_id: ReferenceId | None = None
    appointment_id: ReferenceId | None = None
    serial_number: SerialNumber | None = None
    entitlement: EntitlementName | None = None
    customer_tier: Tier | None = None
    internal: bool | None = Field(
        default=None, description="true hides the ticket from the customer's widget"
    )
    version: Version | None = None


class SlaTarget(ApiModel):
    """One SLA metric of a ticket: its target, due time and progress."""

    metric: Literal["first_response", "next_response", "resolution"]
    target_minutes: int | None = Field(description="null: no target (time is still measured)")
    business_hours: bool
    status: Literal["running", "paused", "met", "breached", "completed", "stopped"] = Field(
        description="met / breached: the outcome; completed: ended without a target; stopped: "
        "the ticket was solved without the public agent reply this response target waits for "
        "(no outcome: neither met nor breached; a reopen resumes it)"
    )
    state: SlaStateName
    elapsed_minutes: float = Field(description="On the policy's calendar (business or 24/7)")
    business_elapsed_minutes: float = Field(description="Always on the business-hours calendar")
    due_at: datetime | None
    warning_at: datetime | None
    completed_at: datetime | None
    breached_at: datetime | None
    stopped_at: datetime | None = Field(
        default=None, description="When a solve stopped a response target without its reply"
    )


class TicketSla(ApiModel):
    """A ticket's SLA: the policy applied, its overall state and each target."""

    policy: str | None
    state: SlaStateName
    targets: list[SlaTarget]


class Ticket(ApiModel):
    """A support ticket."""

    id: str
    subject: str
    description: str
    customer_id: str
    channel: ChannelName
    type: TypeName
    priority: PriorityName
    status: StatusName
    assignee: str | None
    group: str | None
    tags: list[str]
    custom_fields: dict[str, Any]
    product_id: str | None
    warranty_id: str | None
    appointment_id: str | None
    serial_number: str | None
    entitlement: EntitlementName
    customer_tier: str | None
    internal: bool = Field(description="Kept from the customer (never shown in the widget)")
    sla: TicketSla
    first_response_at: datetime | None
    solved_at: datetime | None
    closed_at: datetime | None
    reopen_count: int
    message_count: int
    last_customer_message_at: datetime | None
    last_agent_reply_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int


class TicketList(ApiModel):
    """One page of tickets."""

    items: list[Ticket]
    next_cursor: str | None


class TicketListQuery(ListQuery):
    """Filters of ``GET /v1/tickets`` (all optional; combined with AND)."""

    status: StatusName | None = None
    priority: PriorityName | None = None
    type: TypeName | None = None
    assignee: AgentRef | None = None
    customer_id: Ulid | None = None
    tag: Tag | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    updated_after: datetime | None = None
    updated_before: datetime | None = None
    sort: Literal["-updated_at", "updated_at"] = "-updated_at"


class MessageCreate(ApiModel):
    """A reply or an internal note. ``author`` defaults to the calling agent."""

    body: Text
    visibility: VisibilityName = "public"
    author: ActorModel | None = None
    attachment_ids: list[Ulid] = Field(default_factory=list, max_length=10)


class Message(ApiModel):
    """One message of a ticket's conversation."""

    id: str
    ticket_id: str
    body: str
    visibility: VisibilityName
    author: ActorModel
    attachment_ids: list[str]
    created_at: datetime


class MessageList(ApiModel):
    """One page of messages, oldest first."""

    items: list[Message]
    next_cursor: str | None


class AuditChange(ApiModel):
    """One changed field."""

    field: str
    old: Any
    new: Any


class AuditEntry(ApiModel):
    """One recorded change of a ticket."""

    id: str
    ticket_id: str
    action: str
    actor: ActorModel
    changes: list[AuditChange]
    at: datetime


class AuditList(ApiModel):
    """One page of audit entries, oldest first."""

    items: list[AuditEntry]
    next_cursor: str | None


# Content types accepted as attachments: documents, images, audio/video clips, archives.
ATTACHMENT_TYPES: tuple[str, ...] = (
    "application/pdf",
    "application/zip",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "text/plain",
    "text/csv",
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "image/heic",
    "audio/mpeg",
    "audio/mp4",
    "video/mp4",
    "video/quicktime",
)
FileName = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=255, pattern=r"^[^/\\\x00-\x1f\x7f]+$"
    ),
]


class AttachmentCreate(ApiModel):
    """Announce an upload: the response carries a presigned POST for the bytes."""

    filename: FileName
    content_type: Literal[ATTACHMENT_TYPES]  # type: ignore[valid-type]
    size: int = Field(ge=1, description="Bytes; at most the configured limit (25 MB default)")


class Attachment(ApiModel):
    """An attachment's metadata (``pending`` until its upload is confirmed)."""

    id: str
    ticket_id: str
    filename: str
    content_type: str
    size: int
    status: Literal["pending", "uploaded"]
    uploaded_by: ActorModel
    created_at: datetime
    download_url: str | None = Field(default=None, description="Presigned, short-lived")


class AttachmentUpload(ApiModel):
    """Where and how to upload: POST ``url`` as multipart/form-data with ``fields`` + file."""

    url: str
    fields: dict[str, str]
    expires_in_seconds: int


class AttachmentCreated(ApiModel):
    """A new attachment and its upload instructions."""

    attachment: Attachment
    upload: AttachmentUpload


class AttachmentList(ApiModel):
    """One page of a ticket's attachments."""

    items: list[Attachment]
    next_cursor: str | None
