"""``/v1/warranties``: registrations, coverage, extended plans, voiding and claims."""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib.api.routing import Call, operation
from chalicelib.api.tickets import actor_of
from chalicelib.schemas.warranties import (
    Claim,
    ClaimCreate,
    ClaimList,
    ClaimListQuery,
    ClaimTransition,
    Coverage,
    CoverageQuery,
    PlanPurchase,
    SerialCoverage,
    SerialCoverageQuery,
    Upload,
    UploadRequest,
    Warranty,
    WarrantyCreate,
    WarrantyList,
    WarrantyListQuery,
    WarrantyUpdate,
    WarrantyVoid,
)
from chalicelib.services import claims, warranties

bp = Blueprint(__name__)
TAG = "warranties"


@operation(
    bp,
    "POST",
    "/v1/warranties",
    summary="Register a product for warranty",
    tag=TAG,
    scope="warranties:write",
    body=WarrantyCreate,
    response=Warranty,
    status=201,
    idempotent=True,
)
def register_warranty(call: Call) -> Warranty:
    """The serial is unique per product (409 ``serial_taken``); the product's registration
    window applies unless ``allow_late_registration``."""
    return warranties.register(call.tenant_id, call.body)


@operation(
    bp,
    "GET",
    "/v1/warranties",
    summary="List or find registrations",
    tag=TAG,
    scope="warranties:read",
    query=WarrantyListQuery,
    response=WarrantyList,
)
def list_warranties(call: Call) -> WarrantyList:
    """Newest first; by ``customer_id`` or ``product_id``; ``serial`` finds by serial."""
    return warranties.list_warranties(call.tenant_id, call.query)


@operation(
    bp,
    "POST",
    "/v1/warranties/uploads",
    summary="Get an upload URL for a proof of purchase",
    tag=TAG,
    scope="warranties:write",
    body=UploadRequest,
    response=Upload,
    status=201,
)
def upload_proof(call: Call) -> Upload:
    """PUT the file to ``upload_url`` with ``headers``; send ``reference`` as proof."""
    return warranties.upload_proof(call.tenant_id, call.body)


@operation(
    bp,
    "GET",
    "/v1/warranties/coverage",
    summary="Check coverage by serial number",
    tag=TAG,
    scope="warranties:read",
    query=SerialCoverageQuery,
    response=SerialCoverage,
)
def coverage_by_serial(call: Call) -> SerialCoverage:
    """One answer per product registered with this serial; 404 when none."""
    query = call.query
    return warranties.coverage_by_serial(call.tenant_id, query.serial, query.product_id, query.on)


@operation(
    bp,
    "GET",
    "/v1/warranties/{warranty_id}",
    summary="Get a registration",
    tag=TAG,
    scope="warranties:read",
    response=Warranty,
)
def get_warranty(call: Call, warranty_id: str) -> Warranty:
    """With its plans and today's coverage."""
    return warranties.get_warranty(call.tenant_id, warranty_id)


@operation(
    bp,
    "PATCH",
    "/v1/warranties/{warranty_id}",
    summary="Correct a registration",
    tag=TAG,
    scope="warranties:write",
    body=WarrantyUpdate,
    response=Warranty,
    conditional=True,
)
def update_warranty(call: Call, warranty_id: str) -> Warranty:
    """Retailer, proof of purchase, delivery date."""
    return warranties.update_warranty(call.tenant_id, warranty_id, call.body, call.if_match)


@operation(
    bp,
    "GET",
    "/v1/warranties/{warranty_id}/coverage",
    summary="Check a registration's coverage on a date",
    tag=TAG,
    scope="warranties:read",
    query=CoverageQuery,
    response=Coverage,
)
def get_coverage(call: Call, warranty_id: str) -> Coverage:
    """Covered or not, by which plan, until when, and why."""
    return warranties.coverage(call.tenant_id, warranty_id, call.query.on)


@operation(
    bp,
    "POST",
    "/v1/warranties/{warranty_id}/void",
    summary="Void a registration",
    tag=TAG,
    scope="warranties:write",
    body=WarrantyVoid,
    response=Warranty,
    conditional=True,
)
def void_warranty(call: Call, warranty_id: str) -> Warranty:
    """From ``effective_on`` (default today) nothing is covered."""
    return warranties.void_warranty(call.tenant_id, warranty_id, call.body, call.if_match)


@operation(
    bp,
    "POST",
    "/v1/warranties/{warranty_id}/plans",
    summary="Buy an extended plan",
    tag=TAG,
    scope="warranties:write",
    body=PlanPurchase,
    response=Warranty,
    status=201,
    conditional=True,
    idempotent=True,
)
def purchase_plan(call: Call, warranty_id: str) -> Warranty:
    """Starts when current coverage ends; an overlap with an active plan is a 409."""
    return warranties.purchase_plan(call.tenant_id, warranty_id, call.body, call.if_match)


@operation(
    bp,
    "POST",
    "/v1/warranties/{warranty_id}/claims",
    summary="Submit a warranty claim",
    tag=TAG,
    scope="warranties:write",
    body=ClaimCreate,
    response=Claim,
    status=201,
    idempotent=True,
)
def submit_claim(call: Call, warranty_id: str) -> Claim:
    """Outside coverage it is accepted as chargeable; a ticket is opened or attached."""
    return claims.submit_claim(call.tenant_id, warranty_id, call.body, actor=actor_of(call))


@operation(
    bp,
    "GET",
    "/v1/warranties/{warranty_id}/claims",
    summary="List a registration's claims",
    tag=TAG,
    scope="warranties:read",
    query=ClaimListQuery,
    response=ClaimList,
)
def list_claims(call: Call, warranty_id: str) -> ClaimList:
    """Newest first, optionally of one status."""
    return claims.list_claims(call.tenant_id, warranty_id, call.query)


@operation(
    bp,
    "GET",
    "/v1/warranties/{warranty_id}/claims/{claim_id}",
    summary="Get a claim",
    tag=TAG,
    scope="warranties:read",
    response=Claim,
)
def get_claim(call: Call, warranty_id: str, claim_id: str) -> Claim:
    """With its status history."""
    return claims.get_claim(call.tenant_id, warranty_id, claim_id)


@operation(
    bp,
    "POST",
    "/v1/warranties/{warranty_id}/claims/{claim_id}/transitions",
    summary="Move a claim through its lifecycle",
    tag=TAG,
    scope="warranties:write",
    body=ClaimTransition,
    response=Claim,
    conditional=True,
)
def transition_claim(call: Call, warranty_id: str, claim_id: str) -> Claim:
    """approve / reject (reason) / in_repair / resolve (resolution) / cancel."""
    return claims.transition_claim(
        call.tenant_id, warranty_id, claim_id, call.body, call.if_match, actor=actor_of(call)
    )
