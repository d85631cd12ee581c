"""Synthesise the CDK app once per test session (it takes seconds, not milliseconds)."""

from __future__ import annotations

import fcntl
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest


@dataclass(frozen=True)
class Synthesised:
    """The cloud assembly of both stages."""

    outdir: Path
    templates: dict[str, dict[str, Any]]  # stage name -> CloudFormation template

    def resources(self, stage: str, kind: str) -> dict[str, dict[str, Any]]:
        """Logical id -> resource of one type in a stage's template."""
        return {
            name: resource
            for name, resource in self.templates[stage]["Resources"].items()
            if resource["Type"] == kind
        }


def _synthesise(outdir: Path, workdir: Path) -> None:
    cwd, environ = Path.cwd(), dict(os.environ)
    os.chdir(workdir)  # chalice.cdk writes its packages under the working directory
    try:
        from infra.app import build_app

        app = build_app(outdir=str(outdir))
        app.synth()  # type: ignore[attr-defined]
    finally:
        os.chdir(cwd)
        # Chalice's packager loads the app with each stage's environment variables set in
        # os.environ; put the test environment back for the tests that run after this.
        os.environ.clear()
        os.environ.update(environ)
        from chalicelib.config import reset_settings

        reset_settings()


@pytest.fixture(scope="session")
def synthesised(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Synthesised:
    """Both stages, synthesised for real (Chalice packaging, CDK, cdk-nag), once per run.

    Under xdist the workers share one synthesis (the first one to take the lock does it), so
    the infra tests cost one synth however they are distributed.
    """
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if worker_id != "master" else base
    outdir = shared / "cdk.out"
    with (shared / "cdk-synth.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (outdir / "manifest.json").exists():
            _synthesise(outdir, tmp_path_factory.mktemp("chalice.out"))
    templates = {
        stage: json.loads((outdir / f"{stage}.template.json").read_text())
        for stage in ("dev", "prod")
    }
    return Synthesised(outdir=outdir, templates=templates)
