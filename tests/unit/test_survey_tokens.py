from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.errors import BadRequest, Gone
from chalicelib.domain.sealed import seal
from chalicelib.domain.survey_tokens import SurveyGrant, expiry, sign_grant, verify_grant

KEY = b"s" * 32
NOW = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
GRANT = SurveyGrant(
    tenant_id="T1",
    followup_id="F1",
    customer_id="C1",
    survey_kind="csat",
    subject_kind="ticket",
    subject_id="K1",
    expires_at=expiry(NOW, timedelta(days=7)),
)


def test_round_trip() -> None:
    assert verify_grant(KEY, sign_grant(KEY, GRANT), NOW) == GRANT


def test_expired_link_is_gone() -> None:
    token = sign_grant(KEY, GRANT)
    with pytest.raises(Gone) as info:
        verify_grant(KEY, token, NOW + timedelta(days=7))
    assert info.value.code == "survey_link_expired"
    assert verify_grant(KEY, token, NOW + timedelta(days=7, seconds=-1)) == GRANT


def test_other_key_or_purpose_is_refused() -> None:
    with pytest.raises(BadRequest):
        verify_grant(b"x" * 32, sign_grant(KEY, GRANT), NOW)
    cursor_like = seal(KEY, "cursor", {"v": 1, **GRANT.__dict__})
    with pytest.raises(BadRequest):
        verify_grant(KEY, cursor_like, NOW)


def test_unknown_fields_are_refused() -> None:
    token = seal(KEY, "survey-link", {"v": 1, **GRANT.__dict__, "admin": True})
    with pytest.raises(BadRequest):
        verify_grant(KEY, token, NOW)


@given(st.integers(min_value=0, max_value=400), st.characters(codec="ascii"))
def test_any_edit_is_refused(position: int, replacement: str) -> None:
    token = sign_grant(KEY, GRANT)
    index = position % len(token)
    if token[index] == replacement:
        return
    with pytest.raises(BadRequest):
        verify_grant(KEY, token[:index] + replacement + token[index + 1 :], NOW)
