"""Survey links for outgoing messages: one signed token, one URL per score for one-click answers.

The follow-up worker renders these into emails; the feedback endpoints under
``/widget/v1/feedback/{token}`` verify and consume them.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from chalicelib.config import get_settings
from chalicelib.domain.survey_tokens import SurveyGrant, sign_grant
from chalicelib.services.signing import derived_key

SCALES: dict[str, range] = {"csat": range(1, 6), "nps": range(11), "ces": range(1, 8)}


@dataclass(frozen=True)
class SurveyLinks:
    """The survey page and one link per point of the scale."""

    token: str
    page_url: str
    score_urls: dict[int, str]


def survey_key() -> bytes:
    """The signing key of survey links."""
    return derived_key("survey-link")


def survey_links(grant: SurveyGrant) -> SurveyLinks:
    """Sign ``grant`` and build its URLs under the public base URL."""
    token = sign_grant(survey_key(), grant)
    base = get_settings().public_base_url.rstrip("/")
    page = f"{base}/widget/v1/feedback/{quote(token, safe='')}"
    scores = {score: f"{page}?score={score}" for score in SCALES[grant.survey_kind]}
    return SurveyLinks(token=token, page_url=page, score_urls=scores)
