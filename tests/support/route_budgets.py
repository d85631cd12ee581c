"""DynamoDB budget of every API route: the single source of the per-route cost table.

``tests/integration/test_route_budgets.py`` drives every route of the generated catalog
(``chalicelib/api/route_catalog.py``) once, as a tenant that has one of every resource
(``tests/support/route_costs.py``), and fails when a route's DynamoDB calls, items read or items
written differ from its budget here — or when a route has no budget. ``make bench`` writes the
same measurement, with these reasons, into ``docs/benchmarks.md``.

**Added a route?** Add its line here: the test's failure message prints the measured line to
paste, and ``why`` says what each call is for (a reviewer reads it next to the numbers).
**Changed a route's cost?** Update its line in the same commit, with the reason.

Figures are those of a warm container (authentication and widget-key caches filled); a cold
container adds one BatchGetItem (secret key) or one Query (widget key) to the first request.
*Items read* are what read capacity is billed on (items returned by GetItem/BatchGetItem,
items examined by Query); *items written* are the items named by write calls (condition checks
excluded). Lists read one page (``limit``, default 25) whatever the collection's size; the
scale test (``tests/integration/test_list_costs_at_scale.py``) proves it at 100,000 items.
"""

# The reasons are sentences; wrapping them would not make the table clearer.
# ruff: noqa: E501

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Budget:
    """The DynamoDB cost of one request of a route, and why."""

    calls: tuple[str, ...]  # DynamoDB operations, in order
    read: int  # items read
    written: int  # items written
    why: str
    # ``read`` is an upper bound, not an exact count: the items read depend on how random ids
    # spread over write shards (report counters), never on the number of items.
    read_at_most: bool = False

    def admits(self, calls: tuple[str, ...], read: int, written: int) -> bool:
        """Whether a measured cost is within this budget."""
        reads_ok = read <= self.read if self.read_at_most else read == self.read
        return calls == self.calls and reads_ok and written == self.written

    def read_text(self) -> str:
        """The items-read figure as the report shows it."""
        return f"≤ {self.read}" if self.read_at_most else str(self.read)


def budget_line(route: str, calls: tuple[str, ...], read: int, written: int) -> str:
    """The line to paste into BUDGETS for a measured route (``why`` left for the author)."""
    return f'    {route!r}: Budget({calls!r}, read={read}, written={written}, why="..."),'


BUDGETS: dict[str, Budget] = {
    "GET /health": Budget((), read=0, written=0, why="no data"),
    "GET /openapi.json": Budget(
        (), read=0, written=0, why="generated from the route table, cached per container"
    ),
    "GET /platform/tenants": Budget(
        ("Query",), read=1, written=0, why="one page of the PLATFORM tenants index (Query, limit)"
    ),
    "GET /platform/tenants/{tenant_id}": Budget(
        ("GetItem",), read=1, written=0, why="GetItem the tenant record"
    ),
    "GET /v1/api-keys": Budget(
        ("Query",), read=2, written=0, why="one page of the tenant's keys (Query, limit)"
    ),
    "GET /v1/api-keys/{key_id}": Budget(("GetItem",), read=1, written=0, why="GetItem the key"),
    "GET /v1/customers": Budget(
        ("Query",), read=2, written=0, why="one page of the tenant's customers (Query, limit)"
    ),
    "GET /v1/customers/{customer_id}": Budget(
        ("GetItem",), read=1, written=0, why="GetItem the customer"
    ),
    "GET /v1/feedback": Budget(
        ("GetItem", "Query"),
        read=2,
        written=0,
        why="GetItem the feedback settings (score scale), one page of responses (Query, limit)",
    ),
    "GET /v1/feedback/{feedback_id}": Budget(
        ("GetItem", "GetItem"),
        read=1,
        written=0,
        why="GetItem the response, GetItem the feedback settings (scale labels)",
    ),
    "GET /v1/products": Budget(
        ("Query",), read=1, written=0, why="one page of products (Query, limit)"
    ),
    "GET /v1/products/{product_id}": Budget(
        ("GetItem",), read=1, written=0, why="GetItem the product"
    ),
    "GET /v1/reports/feedback": Budget(
        ("GetItem", "Query"),
        read=2,
        written=0,
        why="GetItem the tenant record (time zone), one Query of the daily counter items in the range (days, not responses)",
    ),
    "GET /v1/reports/tickets": Budget(
        ("Query", "Query"),
        read=8,
        written=0,
        read_at_most=True,
        why="Query the day counter items in the range and Query the present-time gauges: one item per counter shard (4) per day with activity, plus one per shard for the gauges — bounded by days x shards, never by tickets",
    ),
    "GET /v1/service-centres": Budget(
        ("Query",), read=1, written=0, why="one page of centres (Query, limit)"
    ),
    "GET /v1/service-centres/route": Budget(
        ("GetItem", "Query"),
        read=2,
        written=0,
        why="GetItem the product, one Query of the tenant's centres (bounded list)",
    ),
    "GET /v1/service-centres/{centre_id}": Budget(
        ("GetItem",), read=1, written=0, why="GetItem the centre"
    ),
    "GET /v1/settings": Budget(
        ("Query",),
        read=1,
        written=0,
        why="one Query of the tenant's settings partition (one item per section)",
    ),
    "GET /v1/settings/business_hours": Budget(
        ("GetItem",), read=0, written=0, why="GetItem the section (defaults when never written)"
    ),
    "GET /v1/settings/feedback": Budget(
        ("GetItem",), read=0, written=0, why="GetItem the section (defaults when never written)"
    ),
    "GET /v1/settings/general": Budget(
        ("GetItem",), read=1, written=0, why="GetItem the section (defaults when never written)"
    ),
    "GET /v1/settings/privacy": Budget(
        ("GetItem",), read=0, written=0, why="GetItem the section (defaults when never written)"
    ),
    "GET /v1/settings/sla": Budget(
        ("GetItem",), read=0, written=0, why="GetItem the section (defaults when never written)"
    ),
    "GET /v1/settings/ticket_fields": Budget(
        ("GetItem",), read=0, written=0, why="GetItem the section (defaults when never written)"
    ),
    "GET /v1/settings/tickets": Budget(
        ("GetItem",), read=0, written=0, why="GetItem the section (defaults when never written)"
    ),
    "GET /v1/settings/widget": Budget(
        ("GetItem",), read=0, written=0, why="GetItem the section (defaults when never written)"
    ),
    "GET /v1/survey-opt-outs": Budget(
        ("Query",), read=0, written=0, why="one page of opt-outs (Query, limit)"
    ),
    "GET /v1/surveys": Budget(
        ("Query",), read=1, written=0, why="one page of surveys (Query, limit)"
    ),
    "GET /v1/surveys/{survey_id}": Budget(
        ("GetItem",), read=1, written=0, why="GetItem the survey"
    ),
    "GET /v1/tickets": Budget(
        ("Query", "Query"),
        read=5,
        written=0,
        why="one page of tickets by last update (Query by_updated, limit; a status, priority, type, assignee, customer or tag filter Queries that facet's index instead, at the same cost); one Query of the tenant's settings sections (SLA calendar for the SLA view)",
    ),
    "GET /v1/tickets/{ticket_id}": Budget(
        ("BatchGetItem",),
        read=2,
        written=0,
        why="one BatchGetItem: the ticket and the tenant's ticket settings",
    ),
    "GET /v1/tickets/{ticket_id}/attachments": Budget(
        ("GetItem", "Query"),
        read=2,
        written=0,
        why="GetItem the ticket (404 for foreign ids), one page of attachments",
    ),
    "GET /v1/tickets/{ticket_id}/attachments/{attachment_id}": Budget(
        ("GetItem",), read=1, written=0, why="GetItem the attachment"
    ),
    "GET /v1/tickets/{ticket_id}/audit": Budget(
        ("GetItem", "Query"),
        read=4,
        written=0,
        why="GetItem the ticket, one page of its audit entries",
    ),
    "GET /v1/tickets/{ticket_id}/messages": Budget(
        ("GetItem", "Query"), read=3, written=0, why="GetItem the ticket, one page of its messages"
    ),
    "GET /v1/warranties": Budget(
        ("Query",), read=1, written=0, why="one page of registrations (Query, limit)"
    ),
    "GET /v1/warranties/coverage": Budget(
        ("Query", "GetItem"),
        read=2,
        written=0,
        why="Query the serial-number index (bounded: one serial), GetItem the product's terms",
    ),
    "GET /v1/warranties/{warranty_id}": Budget(
        ("GetItem",), read=1, written=0, why="GetItem the registration (terms are copied into it)"
    ),
    "GET /v1/warranties/{warranty_id}/claims": Budget(
        ("GetItem", "Query"),
        read=2,
        written=0,
        why="GetItem the registration, one page of its claims",
    ),
    "GET /v1/warranties/{warranty_id}/claims/{claim_id}": Budget(
        ("GetItem",), read=1, written=0, why="GetItem the claim"
    ),
    "GET /v1/warranties/{warranty_id}/coverage": Budget(
        ("GetItem",),
        read=1,
        written=0,
        why="GetItem the registration; coverage is computed from it",
    ),
    "GET /v1/widget-keys": Budget(
        ("Query",), read=2, written=0, why="one page of widget keys (Query, limit)"
    ),
    "GET /v1/widget-keys/{key_id}": Budget(("GetItem",), read=1, written=0, why="GetItem the key"),
    "GET /v1/widget-secrets": Budget(
        ("Query",), read=1, written=0, why="one page of identity secrets (Query, limit)"
    ),
    "GET /v1/widget-secrets/{kid}": Budget(
        ("GetItem",), read=1, written=0, why="GetItem the secret's metadata"
    ),
    "GET /widget/v1/config": Budget(
        ("UpdateItem", "UpdateItem", "GetItem", "GetItem", "GetItem"),
        read=2,
        written=2,
        why="widget: 2 UpdateItem rate-limit counters (per key, per client IP); GetItem the tenant record, the general and the widget settings sections",
    ),
    "GET /widget/v1/actions/{token}": Budget(
        ("GetItem", "GetItem", "GetItem", "GetItem"),
        read=4,
        written=0,
        why="signed token (verified without a read); GetItem the tenant record, the customer (language), the general settings (brand colour) and the registration (extend_cover: plans and offers in the item)",
    ),
    "GET /widget/v1/actions/{token}/receipt": Budget(
        (
            "GetItem",
            "GetItem",
            "GetItem",
            "GetItem",
            "GetItem",
            "TransactWriteItems",
            "Query",
        ),
        read=10,
        written=1,
        why="signed token; GetItem tenant, customer, general settings, the registration (ownership, proof already attached?) and again in the warranty update; S3 HEAD/GET of the upload (not DynamoDB); one transaction: the registration with its proof; the reaction Queries the registration's follow-ups to cancel the registration reminder (the cover did not move, so no rule re-plans and no follow-up settings are read)",
    ),
    "OPTIONS /widget/v1/actions/{token}": Budget(
        (),
        read=0,
        written=0,
        why="CORS preflight of a token page: answered from the path alone",
    ),
    "OPTIONS /widget/v1/actions/{token}/receipt": Budget(
        (),
        read=0,
        written=0,
        why="CORS preflight of a token page: answered from the path alone",
    ),
    "GET /widget/v1/feedback/{token}": Budget(
        ("BatchGetItem", "GetItem"),
        read=5,
        written=0,
        why="signed token (verified without a read); BatchGetItem tenant record, feedback and general settings (brand colour), customer and the active survey guard; GetItem the survey",
    ),
    "GET /widget/v1/products": Budget(
        ("UpdateItem", "UpdateItem", "Query"),
        read=1,
        written=2,
        why="widget: 2 UpdateItem rate-limit counters (per key, per client IP); one page of products (Query, limit)",
    ),
    "GET /widget/v1/registrations": Budget(
        ("UpdateItem", "UpdateItem", "GetItem", "GetItem", "Query"),
        read=2,
        written=2,
        why="widget: 2 UpdateItem rate-limit counters (per key, per client IP); GetItem the signed-in customer's email link and the customer; one page of the customer's registrations",
    ),
    "GET /widget/v1/tickets": Budget(
        ("UpdateItem", "UpdateItem", "GetItem", "GetItem", "Query"),
        read=3,
        written=2,
        why="widget: 2 UpdateItem rate-limit counters (per key, per client IP); GetItem the signed-in customer's email link and the customer; one page of the customer's tickets (Query the sparse by_customer_visible index: internal tickets are not in it, so none is read to be dropped)",
    ),
    "GET /widget/v1/tickets/{ticket_id}": Budget(
        ("UpdateItem", "UpdateItem", "GetItem", "GetItem", "BatchGetItem", "GetItem", "Query"),
        read=5,
        written=2,
        why="widget: 2 UpdateItem rate-limit counters (per key, per client IP); GetItem the signed-in customer's email link and the customer; BatchGetItem tenant record and ticket settings; GetItem the ticket; one page of its public messages",
    ),
    "OPTIONS /widget/v1/config": Budget(
        (), read=0, written=0, why="CORS preflight: answered from the route table"
    ),
    "OPTIONS /widget/v1/feedback/{token}": Budget(
        (), read=0, written=0, why="CORS preflight: answered from the route table"
    ),
    "OPTIONS /widget/v1/feedback/{token}/unsubscribe": Budget(
        (), read=0, written=0, why="CORS preflight: answered from the route table"
    ),
    "OPTIONS /widget/v1/products": Budget(
        (), read=0, written=0, why="CORS preflight: answered from the route table"
    ),
    "OPTIONS /widget/v1/registrations": Budget(
        (), read=0, written=0, why="CORS preflight: answered from the route table"
    ),
    "OPTIONS /widget/v1/tickets": Budget(
        (), read=0, written=0, why="CORS preflight: answered from the route table"
    ),
    "OPTIONS /widget/v1/tickets/{ticket_id}": Budget(
        (), read=0, written=0, why="CORS preflight: answered from the route table"
    ),
    "OPTIONS /widget/v1/tickets/{ticket_id}/messages": Budget(
        (), read=0, written=0, why="CORS preflight: answered from the route table"
    ),
    "OPTIONS /widget/v1/warranty/check": Budget(
        (), read=0, written=0, why="CORS preflight: answered from the route table"
    ),
    "DELETE /v1/api-keys/{key_id}": Budget(
        ("UpdateItem",),
        read=0,
        written=1,
        why="UpdateItem marks the key revoked (conditional on existence)",
    ),
    "DELETE /v1/customers/{customer_id}": Budget(
        ("GetItem", "TransactWriteItems"),
        read=1,
        written=3,
        why="GetItem the customer; one transaction deletes it and its email/external-id guard items",
    ),
    "DELETE /v1/survey-opt-outs/{customer_id}": Budget(
        ("DeleteItem",), read=0, written=1, why="DeleteItem the opt-out (conditional on existence)"
    ),
    "DELETE /v1/surveys/{survey_id}": Budget(
        ("GetItem", "TransactWriteItems"),
        read=1,
        written=1,
        why="GetItem the survey; one transaction deletes it (and frees its active-kind guard)",
    ),
    "DELETE /v1/widget-keys/{key_id}": Budget(
        ("GetItem", "TransactWriteItems"),
        read=1,
        written=2,
        why="GetItem the key; one transaction revokes it and drops its lookup item",
    ),
    "DELETE /v1/widget-secrets/{kid}": Budget(
        ("UpdateItem",),
        read=0,
        written=1,
        why="UpdateItem marks the secret revoked (conditional on existence)",
    ),
    "PATCH /v1/customers/{customer_id}": Budget(
        ("GetItem", "TransactWriteItems"),
        read=1,
        written=1,
        why="GetItem the customer; one conditional transaction (version check, guards of changed unique fields)",
    ),
    "PATCH /v1/products/{product_id}": Budget(
        ("GetItem", "TransactWriteItems"),
        read=1,
        written=1,
        why="GetItem the product; one conditional transaction (version, SKU guard when changed)",
    ),
    "PATCH /v1/service-centres/{centre_id}": Budget(
        ("GetItem", "TransactWriteItems"),
        read=1,
        written=1,
        why="GetItem the centre; one conditional transaction",
    ),
    "PATCH /v1/surveys/{survey_id}": Budget(
        ("GetItem", "TransactWriteItems"),
        read=1,
        written=1,
        why="GetItem the survey; one conditional transaction",
    ),
    "PATCH /v1/tickets/{ticket_id}": Budget(
        ("BatchGetItem", "TransactWriteItems"),
        read=2,
        written=3,
        why="BatchGetItem the ticket and settings; one transaction: ticket, audit entry, report counter",
    ),
    "PATCH /v1/warranties/{warranty_id}": Budget(
        ("GetItem", "TransactWriteItems"),
        read=1,
        written=1,
        why="GetItem the registration; one conditional transaction",
    ),
    "PATCH /v1/widget-keys/{key_id}": Budget(
        ("GetItem", "TransactWriteItems"),
        read=1,
        written=1,
        why="GetItem the key; one conditional transaction (key and its lookup item)",
    ),
    "POST /v1/api-keys": Budget(
        ("PutItem", "PutItem", "UpdateItem"),
        read=0,
        written=3,
        why="PutItem claims the Idempotency-Key, UpdateItem stores the response; PutItem the key",
    ),
    "POST /v1/customers": Budget(
        ("PutItem", "TransactWriteItems", "UpdateItem"),
        read=0,
        written=4,
        why="PutItem claims the Idempotency-Key, UpdateItem stores the response; one transaction: customer and its email/external-id guard items",
    ),
    "POST /v1/products": Budget(
        ("PutItem", "TransactWriteItems", "UpdateItem"),
        read=0,
        written=4,
        why="PutItem claims the Idempotency-Key, UpdateItem stores the response; one transaction: product and its SKU guard",
    ),
    "POST /v1/service-centres": Budget(
        ("PutItem", "TransactWriteItems", "UpdateItem"),
        read=0,
        written=3,
        why="PutItem claims the Idempotency-Key, UpdateItem stores the response; one transaction: centre and its index item",
    ),
    "POST /v1/survey-opt-outs": Budget(
        ("GetItem", "PutItem", "GetItem"),
        read=2,
        written=1,
        why="GetItem the customer (404 for foreign ids), PutItem the opt-out, GetItem it back for the response",
    ),
    "POST /v1/surveys": Budget(
        ("PutItem", "Query", "TransactWriteItems", "UpdateItem"),
        read=2,
        written=4,
        why="PutItem claims the Idempotency-Key, UpdateItem stores the response; Query the active survey of the kind; one transaction: survey and active-kind guard",
    ),
    "POST /v1/tickets": Budget(
        ("PutItem", "BatchGetItem", "TransactWriteItems", "UpdateItem"),
        read=2,
        written=6,
        why="PutItem claims the Idempotency-Key, UpdateItem stores the response; BatchGetItem the customer and ticket settings; one transaction: ticket, first message, audit entry, SLA wake-up, report counters",
    ),
    "POST /v1/tickets/{ticket_id}/attachments": Budget(
        ("PutItem", "GetItem", "PutItem", "UpdateItem"),
        read=1,
        written=3,
        why="PutItem claims the Idempotency-Key, UpdateItem stores the response; GetItem the ticket; PutItem the pending attachment (the upload goes to S3 directly)",
    ),
    "POST /v1/tickets/{ticket_id}/attachments/{attachment_id}/confirm": Budget(
        ("GetItem", "UpdateItem"),
        read=1,
        written=1,
        why="GetItem the attachment (S3 HEAD checks the upload); UpdateItem marks it uploaded",
    ),
    "POST /v1/tickets/{ticket_id}/messages": Budget(
        ("PutItem", "BatchGetItem", "TransactWriteItems", "UpdateItem"),
        read=2,
        written=6,
        why="PutItem claims the Idempotency-Key, UpdateItem stores the response; BatchGetItem the ticket and settings; one transaction: message, ticket, audit entry, counters",
    ),
    "POST /v1/warranties/uploads": Budget(
        (), read=0, written=0, why="no DynamoDB: a presigned S3 POST"
    ),
    "POST /v1/warranties/{warranty_id}/claims": Budget(
        (
            "PutItem",
            "GetItem",
            "BatchGetItem",
            "Query",
            "BatchGetItem",
            "GetItem",
            "GetItem",
            "TransactWriteItems",
            "UpdateItem",
        ),
        read=10,
        written=7,
        why="PutItem claims the Idempotency-Key, UpdateItem stores the response; GetItem the registration; BatchGetItem tenant record and customer, read once for the language of the ticket's subject and the region of their address (a claim naming no region is routed by it); Query the tenant's centres (routing, one small partition); BatchGetItem tenant record and ticket settings; GetItem the product and the registration again (the ticket's entitlement, and that the registration is the customer's, are checked on the shared ticket path — the second registration read could go); one transaction: the claim's ticket (ticket, audit, counters) and the claim",
    ),
    "POST /v1/warranties/{warranty_id}/claims/{claim_id}/transitions": Budget(
        ("GetItem", "BatchGetItem", "TransactWriteItems"),
        read=4,
        written=5,
        why="GetItem the claim; BatchGetItem its ticket, the tenant record and ticket settings, and the customer (the public note's language); one transaction: the claim (conditional on its version) with its ticket (conditional on its version), the ticket's note, audit entry and report counter",
    ),
    "POST /v1/widget-keys": Budget(
        ("PutItem", "TransactWriteItems", "UpdateItem"),
        read=0,
        written=4,
        why="PutItem claims the Idempotency-Key, UpdateItem stores the response; one transaction: key and its lookup item",
    ),
    "POST /v1/widget-keys/{key_id}/rotate": Budget(
        ("PutItem", "GetItem", "TransactWriteItems", "UpdateItem"),
        read=1,
        written=5,
        why="PutItem claims the Idempotency-Key, UpdateItem stores the response; GetItem the key; one transaction: new key, its lookup item, old key's expiry",
    ),
    "POST /v1/widget-secrets": Budget(
        ("PutItem", "PutItem", "UpdateItem"),
        read=0,
        written=3,
        why="PutItem claims the Idempotency-Key, UpdateItem stores the response; PutItem the encrypted secret",
    ),
    "POST /widget/v1/actions/{token}": Budget(
        (
            "GetItem",
            "GetItem",
            "GetItem",
            "GetItem",
            "BatchGetItem",
            "GetItem",
            "GetItem",
            "TransactWriteItems",
        ),
        read=8,
        written=6,
        why="signed token; GetItem tenant, customer, general settings and the registration (offers sold today); opening the request ticket: BatchGetItem its context (settings sections), GetItem the customer and the linked registration, one transaction: ticket, first message, audit, SLA and index items, outbox event",
    ),
    "POST /widget/v1/feedback/{token}": Budget(
        ("BatchGetItem", "GetItem", "TransactWriteItems"),
        read=6,
        written=4,
        why="signed token; BatchGetItem tenant record, feedback and general settings, customer, active survey guard; GetItem the survey; one transaction: response (the follow-up id makes a second answer a conditional failure), day and month counters",
    ),
    "POST /widget/v1/feedback/{token}/unsubscribe": Budget(
        ("BatchGetItem", "GetItem", "PutItem"),
        read=6,
        written=1,
        why="signed token; BatchGetItem tenant, feedback and general settings, customer, survey guard; GetItem the survey; PutItem the opt-out",
    ),
    "POST /widget/v1/tickets": Budget(
        (
            "UpdateItem",
            "UpdateItem",
            "UpdateItem",
            "PutItem",
            "GetItem",
            "GetItem",
            "BatchGetItem",
            "TransactWriteItems",
            "UpdateItem",
        ),
        read=4,
        written=9,
        why="widget submission: 3 UpdateItem rate-limit counters (per key, per client IP, submissions); PutItem claims the Idempotency-Key, UpdateItem stores the response; GetItem the signed-in customer's email link and the customer; BatchGetItem tenant record and ticket settings; one transaction: ticket, message, audit, wake-up, counters",
    ),
    "POST /widget/v1/tickets/{ticket_id}/messages": Budget(
        (
            "UpdateItem",
            "UpdateItem",
            "UpdateItem",
            "PutItem",
            "GetItem",
            "GetItem",
            "BatchGetItem",
            "BatchGetItem",
            "TransactWriteItems",
            "UpdateItem",
        ),
        read=6,
        written=8,
        why="widget submission: 3 UpdateItem rate-limit counters (per key, per client IP, submissions); PutItem claims the Idempotency-Key, UpdateItem stores the response; GetItem the signed-in customer's email link and the customer; BatchGetItem ticket and settings twice (ownership check, then the shared reply path — one could go); one transaction",
    ),
    "POST /widget/v1/warranty/check": Budget(
        ("UpdateItem", "UpdateItem", "UpdateItem", "GetItem", "GetItem", "Query"),
        read=3,
        written=3,
        why="widget submission: 3 UpdateItem rate-limit counters (per key, per client IP, submissions); GetItem the email link and the customer; Query the serial index (one serial); the answer is identical for every miss",
    ),
    "PUT /v1/settings/business_hours": Budget(
        ("GetItem", "PutItem"),
        read=0,
        written=1,
        why="GetItem the current section (version check), PutItem it conditionally",
    ),
    "PUT /v1/settings/feedback": Budget(
        ("GetItem", "PutItem"),
        read=0,
        written=1,
        why="GetItem the current section (version check), PutItem it conditionally",
    ),
    "PUT /v1/settings/general": Budget(
        ("GetItem", "PutItem"),
        read=1,
        written=1,
        why="GetItem the current section (version check), PutItem it conditionally",
    ),
    "PUT /v1/settings/privacy": Budget(
        ("GetItem", "PutItem"),
        read=0,
        written=1,
        why="GetItem the current section (version check), PutItem it conditionally",
    ),
    "PUT /v1/settings/sla": Budget(
        ("GetItem", "PutItem"),
        read=0,
        written=1,
        why="GetItem the current section (version check), PutItem it conditionally",
    ),
    "PUT /v1/settings/ticket_fields": Budget(
        ("GetItem", "PutItem"),
        read=0,
        written=1,
        why="GetItem the current section (version check), PutItem it conditionally",
    ),
    "PUT /v1/settings/tickets": Budget(
        ("GetItem", "PutItem"),
        read=0,
        written=1,
        why="GetItem the current section (version check), PutItem it conditionally",
    ),
    "PUT /v1/settings/widget": Budget(
        ("GetItem", "PutItem"),
        read=0,
        written=1,
        why="GetItem the current section (version check), PutItem it conditionally",
    ),
    "POST /platform/tenants": Budget(
        ("PutItem", "TransactWriteItems", "UpdateItem"),
        read=0,
        written=5,
        why="PutItem claims the Idempotency-Key, UpdateItem stores the response; one transaction: tenant, admin key, widget key and their lookup items",
    ),
    "POST /platform/tenants/{tenant_id}/reactivate": Budget(
        ("GetItem", "UpdateItem", "GetItem"),
        read=2,
        written=1,
        why="GetItem the tenant; conditional UpdateItem; GetItem it back for the response",
    ),
    "POST /platform/tenants/{tenant_id}/suspend": Budget(
        ("GetItem", "UpdateItem", "GetItem"),
        read=2,
        written=1,
        why="GetItem the tenant; conditional UpdateItem; GetItem it back for the response",
    ),
    "DELETE /platform/tenants/{tenant_id}": Budget(
        (
            "GetItem",
            "UpdateItem",
            "Query",
            "Query",
            "Query",
            "Query",
            "Query",
            "Query",
            "Query",
            "BatchWriteItem",
            "Query",
            "BatchWriteItem",
        ),
        read=5,
        written=5,
        why="GetItem + UpdateItem mark the tenant offboarding; per table a Query of the tenant's by_tenant keys-only index and BatchWriteItem deletes, within a time budget (resumable) — grows with the tenant's items and tables, it is the one route meant to",
    ),
    "DELETE /v1/webhooks/{webhook_id}": Budget(
        ("DeleteItem",),
        read=0,
        written=1,
        why="one conditional DeleteItem (the webhook must exist)",
    ),
    "GET /v1/appointments": Budget(
        ("Query",),
        read=1,
        written=0,
        why="one page of the tenant's appointments (Query, limit; a customer, technician or kind filter Queries that index instead, at the same cost)",
    ),
    "GET /v1/appointments/{appointment_id}": Budget(
        ("GetItem",),
        read=1,
        written=0,
        why="GetItem the appointment",
    ),
    "GET /v1/customers/{customer_id}/export": Budget(
        (
            "GetItem",
            "Query",
            "Query",
            "Query",
            "Query",
            "GetItem",
            "Query",
            "GetItem",
            "Query",
            "GetItem",
        ),
        read=15,
        written=0,
        why="GetItem the customer; Query its tickets (customer index), one Query of messages per ticket; Query its feedback (customer index); GetItem its survey opt-out; Query its follow-ups (customer index); GetItem its follow-up contact record (unsubscribe state); Query its appointments (customer index: visit addresses are personal data); GetItem the customer again for the record section (a second read that could go) — grows with that customer's own items only",
    ),
    "GET /v1/followups": Budget(
        ("Query",),
        read=6,
        written=0,
        why="one page of the tenant's follow-ups (Query, limit)",
    ),
    "GET /v1/followups/{followup_id}": Budget(
        ("GetItem",),
        read=1,
        written=0,
        why="GetItem the follow-up",
    ),
    "GET /v1/service-plans": Budget(
        ("Query",),
        read=1,
        written=0,
        why="one page of the tenant's service plans (Query, limit)",
    ),
    "GET /v1/service-plans/{plan_id}": Budget(
        ("GetItem",),
        read=1,
        written=0,
        why="GetItem the plan (visits are stored on it)",
    ),
    "GET /v1/settings/followups": Budget(
        ("GetItem",),
        read=0,
        written=0,
        why="GetItem the section (never written: defaults, no item read)",
    ),
    "GET /v1/webhooks": Budget(
        ("Query",),
        read=1,
        written=0,
        why="one page of the tenant's webhooks (Query, limit)",
    ),
    "GET /v1/webhooks/{webhook_id}": Budget(
        ("GetItem",),
        read=1,
        written=0,
        why="GetItem the webhook",
    ),
    "GET /widget/v1/unsubscribe/{token}": Budget(
        ("GetItem", "GetItem", "GetItem"),
        read=2,
        written=0,
        why="signed token; GetItem the tenant record (active?), the customer, and its survey opt-out (none yet: not read) — shows the state, records nothing (mail scanners GET links)",
    ),
    "OPTIONS /widget/v1/unsubscribe/{token}": Budget(
        (),
        read=0,
        written=0,
        why="CORS preflight of a public token page: no origin allow-list, no data",
    ),
    "PATCH /v1/appointments/{appointment_id}": Budget(
        ("GetItem", "TransactWriteItems"),
        read=1,
        written=1,
        why="GetItem the appointment; one conditional transaction (version)",
    ),
    "PATCH /v1/service-plans/{plan_id}": Budget(
        (
            "GetItem",
            "TransactWriteItems",
            "GetItem",
            "GetItem",
            "TransactWriteItems",
            "GetItem",
            "GetItem",
            "TransactWriteItems",
            "GetItem",
            "GetItem",
            "TransactWriteItems",
            "GetItem",
            "GetItem",
        ),
        read=8,
        written=7,
        why="GetItem the plan; one conditional transaction (version); then the maintenance-due rule re-plans on the plan's event: GetItem the follow-up settings and the registration once (what the reminders show), and per visit (3 here) a planning transaction that fails on the existing dedupe guard, then GetItem the guard and the follow-up it names (kept as is). Wasteful when the visit dates did not change (notes only): a dedupe pre-check or skipping re-planning for date-neutral changes would save 3 transactions and 6 reads",
    ),
    "PATCH /v1/webhooks/{webhook_id}": Budget(
        ("GetItem", "PutItem"),
        read=1,
        written=1,
        why="GetItem the webhook; conditional PutItem (version)",
    ),
    "POST /v1/appointments": Budget(
        ("PutItem", "GetItem", "TransactWriteItems", "UpdateItem"),
        read=1,
        written=3,
        why="PutItem claims the Idempotency-Key, UpdateItem stores the response; GetItem the customer; one transaction writes the appointment",
    ),
    "POST /v1/appointments/{appointment_id}/transitions": Budget(
        ("GetItem", "GetItem", "TransactWriteItems"),
        read=2,
        written=2,
        why="GetItem the appointment and its plan (a plan visit's state moves with it); one conditional transaction: appointment and plan",
    ),
    "POST /v1/customers/{customer_id}/erase": Budget(
        (
            "GetItem",
            "GetItem",
            "Query",
            "Query",
            "DeleteItem",
            "GetItem",
            "Query",
            "Query",
            "DeleteItem",
            "Query",
            "GetItem",
            "TransactWriteItems",
        ),
        read=6,
        written=5,
        why="GetItem the customer and the privacy settings; Query its tickets and feedback (customer indexes), DeleteItem its survey opt-out; GetItem the customer again and Query the tenant's idempotency partition (stored responses that may hold the customer's data — grows with the tenant's writes of the last 24 hours, not with the customer: the one read here that is not bounded by the customer's own items); Query its follow-ups (customer index), DeleteItem its follow-up contact record; Query its appointments (customer index; one conditional transaction per visit whose address, sign-off name or notes are erased: none here); GetItem the customer a third time; one transaction replaces the personal fields and frees the email/external-id guard items. The two repeated customer reads could go",
    ),
    "POST /v1/followups": Budget(
        ("PutItem", "GetItem", "PutItem", "UpdateItem"),
        read=1,
        written=3,
        why="PutItem claims the Idempotency-Key, UpdateItem stores the response; GetItem the customer; PutItem the follow-up (with its sharded due-index key)",
    ),
    "POST /v1/followups/{followup_id}/cancel": Budget(
        ("GetItem", "PutItem"),
        read=1,
        written=1,
        why="GetItem the follow-up; conditional PutItem (still pending, version)",
    ),
    "POST /v1/followups/{followup_id}/reschedule": Budget(
        ("GetItem", "PutItem"),
        read=1,
        written=1,
        why="GetItem the follow-up; conditional PutItem with the new due-index key",
    ),
    "POST /v1/service-plans": Budget(
        (
            "PutItem",
            "GetItem",
            "GetItem",
            "GetItem",
            "GetItem",
            "GetItem",
            "TransactWriteItems",
            "GetItem",
            "GetItem",
            "TransactWriteItems",
            "TransactWriteItems",
            "TransactWriteItems",
            "UpdateItem",
        ),
        read=5,
        written=10,
        why="PutItem claims the Idempotency-Key, UpdateItem stores the response; GetItem the customer, product, registration, business-hours settings (never written here: not read) and centre; one transaction: plan and the registration's active-plan guard; then GetItem the tenant's follow-up settings (never written: not read) and the registration once (the product name and serial number the reminders show), one transaction per visit's maintenance reminder (follow-up and its dedupe guard; 3 visits here)",
    ),
    "POST /v1/service-plans/{plan_id}/cancel": Budget(
        ("GetItem", "TransactWriteItems", "Query", "PutItem", "PutItem", "PutItem"),
        read=6,
        written=5,
        why="GetItem the plan; one conditional transaction: plan and its active-plan guard freed; then the reminder canceller: Query the registration's pending follow-ups (subject index), PutItem each maintenance reminder cancelled (3 visits)",
    ),
    "POST /v1/service-plans/{plan_id}/visits/{number}/appointment": Budget(
        (
            "PutItem",
            "GetItem",
            "GetItem",
            "GetItem",
            "GetItem",
            "GetItem",
            "TransactWriteItems",
            "UpdateItem",
        ),
        read=5,
        written=4,
        why="PutItem claims the Idempotency-Key, UpdateItem stores the response; GetItem the plan, its customer, registration, product and centre; one transaction: appointment and the plan (its visit marked booked)",
    ),
    "POST /v1/warranties": Budget(
        (
            "PutItem",
            "GetItem",
            "GetItem",
            "TransactWriteItems",
            "GetItem",
            "GetItem",
            "TransactWriteItems",
            "TransactWriteItems",
            "UpdateItem",
        ),
        read=3,
        written=8,
        why="PutItem claims the Idempotency-Key, UpdateItem stores the response; GetItem the product and the customer; one transaction: registration and serial guard; then GetItem the tenant's follow-up settings (rules) and the registration once (product name, serial number and offered plans the reminders show, shared by the expiry and proof-of-purchase rules), one transaction per planned follow-up (follow-up and its dedupe guard): the expiry reminders 30 and 7 days before the end",
    ),
    "POST /v1/warranties/{warranty_id}/plans": Budget(
        (
            "PutItem",
            "GetItem",
            "GetItem",
            "TransactWriteItems",
            "Query",
            "PutItem",
            "PutItem",
            "GetItem",
            "GetItem",
            "TransactWriteItems",
            "TransactWriteItems",
            "UpdateItem",
        ),
        read=4,
        written=9,
        why="PutItem claims the Idempotency-Key, UpdateItem stores the response; GetItem the registration; GetItem its active-plan guard (the cover moves, so a maintenance plan would be re-priced in the same transaction; none here: not read); one conditional transaction adds the plan (the coverage end moves); then the old expiry reminders are cancelled (Query the registration's pending follow-ups, PutItem each of 2) and re-planned for the new end (GetItem the follow-up settings and the registration once for what the reminders show: product name, serial number, offered plans; one transaction per reminder: follow-up and its dedupe guard)",
    ),
    "POST /v1/warranties/{warranty_id}/void": Budget(
        ("GetItem", "GetItem", "TransactWriteItems", "Query", "PutItem", "PutItem"),
        read=3,
        written=3,
        why="GetItem the registration; GetItem its active-plan guard (a void registration's maintenance plan loses its discount in the same transaction; none here: not read); one conditional transaction; then its pending expiry reminders are cancelled: Query the registration's pending follow-ups (subject index), PutItem each (2)",
    ),
    "POST /v1/webhooks": Budget(
        ("PutItem", "PutItem", "UpdateItem"),
        read=0,
        written=3,
        why="PutItem claims the Idempotency-Key, UpdateItem stores the response; conditional PutItem the webhook (with its signing secret)",
    ),
    "POST /widget/v1/registrations": Budget(
        (
            "UpdateItem",
            "UpdateItem",
            "UpdateItem",
            "PutItem",
            "GetItem",
            "GetItem",
            "GetItem",
            "GetItem",
            "GetItem",
            "TransactWriteItems",
            "GetItem",
            "GetItem",
            "TransactWriteItems",
            "TransactWriteItems",
            "UpdateItem",
        ),
        read=6,
        written=11,
        why="widget submission: 3 UpdateItem rate-limit counters (per key, per client IP, submissions); PutItem claims the Idempotency-Key, UpdateItem stores the response; GetItem the signed-in customer's email link and the customer; GetItem the product and the customer again (shared registration path); one transaction: registration and serial guard; then GetItem the tenant's follow-up settings (rules) and the registration once (product name, serial number and offered plans the reminders show, shared by the expiry and proof-of-purchase rules), one transaction per planned follow-up (follow-up and its dedupe guard): the expiry reminders 30 and 7 days before the end",
    ),
    "POST /widget/v1/unsubscribe/{token}": Budget(
        ("GetItem", "GetItem", "PutItem"),
        read=2,
        written=1,
        why="signed token; GetItem the tenant record (active?) and the customer; PutItem the survey opt-out (idempotent: a second click rewrites the same item)",
    ),
    "PUT /v1/settings/followups": Budget(
        ("GetItem", "PutItem"),
        read=0,
        written=1,
        why="GetItem the current section (version check; never written: nothing read), PutItem it conditionally",
    ),
}
