"""Journey fixtures: moto, the app behind its test client, one clock, one tenant, the outbox."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from chalice.test import Client

from tests.integration.conftest import aws  # noqa: F401  (the moto account fixture)
from tests.journeys import samples
from tests.journeys.harness import LOCALES, PEOPLE, Journey, Person
from tests.support.clocks import freeze


@pytest.fixture(params=LOCALES)
def person(request: pytest.FixtureRequest) -> Person:
    """The customer of the journey: each journey runs for an lt, an lv and an en customer."""
    return PEOPLE[request.param]


@pytest.fixture
def journey(
    aws: None,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
    person: Person,
) -> Iterator[Journey]:
    """A fresh tenant on a fixed clock; at the end, the customer's messages are checked against
    their section of docs/messages.md."""
    from app import app

    with Client(app, stage_name="test") as client:
        story = Journey(client=client)
        freeze(monkeypatch, story.now)
        story.onboard()
        yield story
    module = request.module
    title = (module.__doc__ or module.__name__).strip().splitlines()[0].rstrip(".")
    key = f"{module.__name__.rsplit('.', 1)[-1].removeprefix('test_')}[{person.locale}]"
    report = getattr(request.node, "rep_call", None)
    if report is None or not report.passed:
        return  # a failed story has no complete sample to compare or record
    mine = [m for m in story.seen if person.email.lower() in m.to]
    samples.check(key, title, person.locale, mine)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Keep each phase's report on the test item, so teardown knows whether the story passed."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
