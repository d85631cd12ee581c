"""Outbound email goes through the stage's SES configuration set when one is configured."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.notify.email import send_email


def _sent_params(monkeypatch: pytest.MonkeyPatch, configuration_set: str | None) -> dict[str, Any]:
    from chalicelib.config import reset_settings
    from chalicelib.store.clients import aws_client

    if configuration_set:
        monkeypatch.setenv("SES_CONFIGURATION_SET", configuration_set)
    reset_settings()
    ses = aws_client("ses")
    ses.verify_email_identity(EmailAddress="no-reply@example.com")
    if configuration_set:
        ses.create_configuration_set(ConfigurationSet={"Name": configuration_set})
    seen: dict[str, Any] = {}
    ses.meta.events.register(
        "provide-client-params.ses.SendEmail", lambda params, **_: seen.update(params)
    )
    assert send_email("ona@example.lt", "Hello", "text")
    return seen


def test_sends_through_the_configuration_set(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    params = _sent_params(monkeypatch, "aftersales-test")
    assert params["ConfigurationSetName"] == "aftersales-test"
    assert params["Source"] == "no-reply@example.com"


def test_no_configuration_set_locally(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SES_CONFIGURATION_SET", raising=False)
    assert "ConfigurationSetName" not in _sent_params(monkeypatch, None)
