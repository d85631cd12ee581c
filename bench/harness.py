"""What every benchmark shares: fake AWS environment, medians, result sections, the report."""

from __future__ import annotations

import json
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FAKE_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "TABLE_PREFIX": "bench-",
    "STAGE": "bench",
    "APP_SECRET": "bench-app-secret-0123456789abcdef",
    "PLATFORM_API_KEY": "bench-platform-key",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_DISABLED": "true",
    "POWERTOOLS_LOG_LEVEL": "ERROR",
    "LOG_LEVEL": "ERROR",
}


def use_fake_aws() -> None:
    """Point every AWS SDK call of this process at nothing real (moto patches it in)."""
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"):
        os.environ.pop(name, None)
    os.environ.update(FAKE_AWS_ENV)


@dataclass
class Row:
    """One measured figure, optionally against its floor."""

    name: str
    value: float
    unit: str
    floor: float | None = None
    target: float | None = None  # the ratio the figure should stay within
    note: str = ""

    @property
    def ratio(self) -> float | None:
        """value / floor, when there is a floor."""
        return None if not self.floor else self.value / self.floor

    def verdict(self) -> str:
        """``ok`` / ``over`` against the target ratio, blank when there is none."""
        if self.target is None or self.ratio is None:
            return ""
        return "ok" if self.ratio <= self.target else "over"


@dataclass
class Section:
    """A titled table of rows, plus free text."""

    title: str
    rows: list[Row] = field(default_factory=list)
    text: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def markdown(self) -> str:
        """The section as a Markdown table."""
        lines = [f"## {self.title}", ""]
        if self.text:
            lines += [self.text.strip(), ""]
        if self.rows:
            lines += [
                "| what | value | floor | ratio | target | |",
                "|---|---:|---:|---:|---:|---|",
            ]
            for row in self.rows:
                floor = f"{row.floor:.3g} {row.unit}" if row.floor is not None else ""
                ratio = f"{row.ratio:.2f}" if row.ratio is not None else ""
                target = f"≤ {row.target:.2f}" if row.target is not None else ""
                lines.append(
                    f"| {row.name} | {row.value:.3g} {row.unit} | {floor} | {ratio} | {target} "
                    f"| {row.verdict()} {row.note} |"
                )
            lines.append("")
        return "\n".join(lines)

    def as_json(self) -> dict[str, Any]:
        """The section as plain data."""
        return {
            "title": self.title,
            "rows": [{**asdict(r), "ratio": r.ratio, "verdict": r.verdict()} for r in self.rows],
            **self.extra,
        }


def median_seconds(action: Callable[[], object], repeats: int) -> float:
    """Median wall time of ``repeats`` calls of ``action``."""
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def write_report(sections: list[Section], header: str, footer: str) -> None:
    """Write docs/benchmarks.md and bench/results.json."""
    body = "\n".join(section.markdown() for section in sections)
    (ROOT / "docs" / "benchmarks.md").write_text(f"{header.strip()}\n\n{body}\n{footer.strip()}\n")
    results = {"sections": [section.as_json() for section in sections]}
    (ROOT / "bench" / "results.json").write_text(json.dumps(results, indent=2) + "\n")
