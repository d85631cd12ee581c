"""``/v1/surveys``: CSAT / NPS / CES survey configurations; ``/v1/survey-opt-outs``."""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib.api.routing import Call, operation
from chalicelib.schemas.common import ListQuery
from chalicelib.schemas.feedback import (
    Survey,
    SurveyCreate,
    SurveyList,
    SurveyOptOut,
    SurveyOptOutCreate,
    SurveyOptOutList,
    SurveyUpdate,
)
from chalicelib.services import feedback, surveys

bp = Blueprint(__name__)
TAG = "surveys"


@operation(
    bp,
    "POST",
    "/v1/surveys",
    summary="Create a survey",
    tag=TAG,
    scope="surveys:write",
    body=SurveyCreate,
    response=Survey,
    status=201,
    idempotent=True,
)
def create_survey(call: Call) -> Survey:
    """At most one active survey per kind (409 ``active_survey_exists``)."""
    return surveys.create_survey(call.tenant_id, call.body)


@operation(
    bp,
    "GET",
    "/v1/surveys",
    summary="List surveys",
    tag=TAG,
    scope="surveys:read",
    query=ListQuery,
    response=SurveyList,
)
def list_surveys(call: Call) -> SurveyList:
    """Oldest first."""
    return surveys.list_surveys(call.tenant_id, call.query.limit, call.query.cursor)


@operation(
    bp,
    "GET",
    "/v1/surveys/{survey_id}",
    summary="Get a survey",
    tag=TAG,
    scope="surveys:read",
    response=Survey,
)
def get_survey(call: Call, survey_id: str) -> Survey:
    """With the effective text of every locale (built-ins where not customised)."""
    return surveys.get_survey(call.tenant_id, survey_id)


@operation(
    bp,
    "PATCH",
    "/v1/surveys/{survey_id}",
    summary="Update a survey",
    tag=TAG,
    scope="surveys:write",
    body=SurveyUpdate,
    response=Survey,
    conditional=True,
)
def update_survey(call: Call, survey_id: str) -> Survey:
    """Conditional on ``version`` or ``If-Match``; the kind cannot change."""
    return surveys.update_survey(call.tenant_id, survey_id, call.body, call.if_match)


@operation(
    bp,
    "DELETE",
    "/v1/surveys/{survey_id}",
    summary="Delete a survey",
    tag=TAG,
    scope="surveys:write",
    status=204,
)
def delete_survey(call: Call, survey_id: str) -> None:
    """Its responses stay (and keep counting in reports)."""
    surveys.delete_survey(call.tenant_id, survey_id)


@operation(
    bp,
    "GET",
    "/v1/survey-opt-outs",
    summary="List customers opted out of surveys",
    tag=TAG,
    scope="surveys:read",
    query=ListQuery,
    response=SurveyOptOutList,
)
def list_optouts(call: Call) -> SurveyOptOutList:
    """Customers who asked (by survey link or through the tenant) not to be surveyed."""
    return feedback.list_optouts(call.tenant_id, call.query.limit, call.query.cursor)


@operation(
    bp,
    "POST",
    "/v1/survey-opt-outs",
    summary="Opt a customer out of surveys",
    tag=TAG,
    scope="surveys:write",
    body=SurveyOptOutCreate,
    response=SurveyOptOut,
    status=201,
)
def add_optout(call: Call) -> SurveyOptOut:
    """Idempotent: opting out twice keeps the first record."""
    return feedback.add_optout(call.tenant_id, call.body.customer_id)


@operation(
    bp,
    "DELETE",
    "/v1/survey-opt-outs/{customer_id}",
    summary="Let a customer receive surveys again",
    tag=TAG,
    scope="surveys:write",
    status=204,
)
def remove_optout(call: Call, customer_id: str) -> None:
    """404 when the customer was not opted out."""
    feedback.remove_optout(call.tenant_id, customer_id)
