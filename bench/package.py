"""Deployment package size of ``chalice package`` (what Lambda loads), against a budget.

Lambda accepts at most 50 MB zipped for direct upload and 250 MB unzipped; the budget here is
half of each, so the function keeps room to grow and stays quick to fetch on a cold start.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from bench.harness import FAKE_AWS_ENV, ROOT, Row, Section

ZIPPED_BUDGET_MB = 25.0
UNZIPPED_BUDGET_MB = 125.0
# Code that must never ship in the function.
FORBIDDEN_PREFIXES = ("tests/", "infra/", "bench/", "scripts/", "moto/", "pytest", "hypothesis")


def run() -> Section:
    """Package the dev stage into a temporary directory and measure it."""
    chalice = Path(sys.executable).with_name("chalice")
    with tempfile.TemporaryDirectory() as out:
        env = {**os.environ, **FAKE_AWS_ENV, "PYTHONPATH": str(ROOT)}
        subprocess.run(
            [str(chalice), "package", "--stage", "dev", out],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        archive = Path(out) / "deployment.zip"
        zipped = archive.stat().st_size / 1e6
        with zipfile.ZipFile(archive) as package:
            names = package.namelist()
            unzipped = sum(info.file_size for info in package.infolist()) / 1e6
    leaked = sorted({n.split("/")[0] for n in names if n.startswith(FORBIDDEN_PREFIXES)})
    top: dict[str, int] = {}
    for name in names:
        top[name.split("/")[0]] = top.get(name.split("/")[0], 0) + 1
    section = Section("Deployment package")
    section.text = (
        f"`chalice package --stage dev`: {len(names)} files. Budget: {ZIPPED_BUDGET_MB:g} MB "
        f"zipped, {UNZIPPED_BUDGET_MB:g} MB unzipped (half of Lambda's limits). Test, "
        f"benchmark, infra and script code inside: {', '.join(leaked) or 'none'}."
    )
    section.rows = [
        Row("zipped", zipped, "MB", floor=ZIPPED_BUDGET_MB, target=1.0, note="(floor = budget)"),
        Row("unzipped", unzipped, "MB", floor=UNZIPPED_BUDGET_MB, target=1.0),
    ]
    section.extra = {"leaked": leaked, "files": len(names)}
    if leaked:
        raise RuntimeError(f"non-runtime code in the deployment package: {leaked}")
    return section
