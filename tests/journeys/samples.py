"""``docs/messages.md``: every message the journeys produce, as the customer reads it.

Each journey run records the messages its customer received; at the end of the run they are
compared with that journey's section of ``docs/messages.md`` and the test fails when the page
is stale. ``make messages`` (``UPDATE_MESSAGES=1``) rewrites the sections instead. Ids, tokens
and signatures are replaced by short markers, so a section changes only when a text does; the
journeys' clock is fixed, so dates are real.
"""

from __future__ import annotations

import fcntl
import os
import re
from collections.abc import Iterable
from pathlib import Path

from tests.journeys.harness import LOCALES, PEOPLE, Message

DOC = Path(__file__).resolve().parents[2] / "docs" / "messages.md"
LOCK = DOC.with_suffix(".lock")
HEADER = """# Messages, as the customer reads them

Every message below was produced by a journey of `tests/journeys/` through the public API, the
scheduled jobs and the local outbox, for a customer writing in Lithuanian, Latvian and English.
The page is generated (`make messages`); a journey fails when its section is stale. Ids and
signed tokens in links are shortened to `…`. Style rules and the glossary: [i18n.md](i18n.md).
"""
_BEGIN = re.compile(r"^<!-- sample: (?P<key>[\w.-]+\[[a-z]{2}\]) -->$", re.MULTILINE)
_END = "<!-- /sample -->"
_ULID = re.compile(r"\b[0-9A-HJKMNP-TV-Z]{26}\b")
_URL = re.compile(r"https?://[^\s<>\"]+")
_LONG_SEGMENT = re.compile(r"/[A-Za-z0-9_.~%=-]{24,}")


def _short_url(match: re.Match[str]) -> str:
    url = _LONG_SEGMENT.sub("/…", match.group(0))
    return re.sub(r"=[^&\s]{24,}", "=…", url)


def normalise(text: str) -> str:
    """``text`` with ids and signed tokens replaced by markers."""
    return _ULID.sub("…", _URL.sub(_short_url, text)).rstrip()


def render_section(key: str, title: str, locale: str, messages: Iterable[Message]) -> str:
    """One journey's messages for one customer, as Markdown."""
    person = PEOPLE[locale]
    lines = [f"<!-- sample: {key} -->", f"### {title} · {locale} ({person.name})", ""]
    shown = 0
    for message in messages:
        shown += 1
        lines += [
            f"**{shown}. {normalise(message.subject)}** ({message.channel})",
            "",
            "```text",
            normalise(message.text or message.html),
            "```",
            "",
        ]
    if not shown:
        lines += ["(no message to the customer)", ""]
    lines.append(_END)
    return "\n".join(lines)


def _sections(document: str) -> dict[str, str]:
    found = {}
    for match in _BEGIN.finditer(document):
        end = document.index(_END, match.end()) + len(_END)
        found[match.group("key")] = document[match.start() : end]
    return found


def _order(key: str) -> tuple[str, int]:
    journey, _, locale = key.partition("[")
    return journey, LOCALES.index(locale.rstrip("]"))


def _write(sections: dict[str, str]) -> None:
    body = [HEADER]
    for key in sorted(sections, key=_order):
        body.append(sections[key])
    DOC.write_text("\n\n".join(body) + "\n", encoding="utf-8")


def check(key: str, title: str, locale: str, messages: list[Message]) -> None:
    """Compare (or with ``UPDATE_MESSAGES=1``, write) the section of ``key``."""
    wanted = render_section(key, title, locale, messages)
    if os.environ.get("UPDATE_MESSAGES") == "1":
        with LOCK.open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            current = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
            sections = _sections(current)
            sections[key] = wanted
            _write(sections)
        return
    current = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    have = _sections(current).get(key)
    assert have == wanted, (
        f"docs/messages.md is stale for {key}: run `make messages`.\n--- expected ---\n{wanted}"
    )
