"""Synthesise the CDK app once per test run (it takes seconds, not milliseconds).

Two apps are synthesised: this repository's (both stages) and ``sample_project`` (a small
Chalice app with schedules and a queue consumer, prod stage), so the event-source machinery is
tested whatever handlers the real app declares at the moment.
"""

from __future__ import annotations

import fcntl
import importlib.util
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

SAMPLE_PROJECT = Path(__file__).parent / "sample_project"


@dataclass(frozen=True)
class Synthesised:
    """The cloud assemblies: templates by name ("dev", "prod", "sample")."""

    outdir: Path
    templates: dict[str, dict[str, Any]]

    def resources(self, stage: str, kind: str) -> dict[str, dict[str, Any]]:
        """Logical id -> resource of one type in a template."""
        return {
            name: resource
            for name, resource in self.templates[stage]["Resources"].items()
            if resource["Type"] == kind
        }


def load_sample_app() -> ModuleType:
    """The sample project's app module (under its own name: ``app`` is the real one)."""
    spec = importlib.util.spec_from_file_location("sample_project_app", SAMPLE_PROJECT / "app.py")
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _synthesise(outdir: Path, workdir: Path) -> None:
    cwd, environ, path = Path.cwd(), dict(os.environ), list(sys.path)
    os.chdir(workdir)  # chalice.cdk writes its packages under the working directory
    try:
        from infra.app import build_app

        build_app(outdir=str(outdir / "app")).synth()  # type: ignore[attr-defined]
        # Chalice's packager imports the project as the module "app": lend it the sample.
        import app as real_app

        sample = load_sample_app()
        sys.modules["app"] = sample
        try:
            build_app(
                outdir=str(outdir / "sample"),
                stages=["prod"],
                source_dir=SAMPLE_PROJECT,
                chalice_app=sample.app,
            ).synth()  # type: ignore[attr-defined]
        finally:
            sys.modules["app"] = real_app
    finally:
        os.chdir(cwd)
        # Chalice's packager loads the app with each stage's environment variables set in
        # os.environ and puts the project on sys.path; restore both for the tests after this.
        os.environ.clear()
        os.environ.update(environ)
        sys.path[:] = path
        from chalicelib.config import reset_settings

        reset_settings()


@pytest.fixture(scope="session")
def synthesised(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Synthesised:
    """Both stages and the sample, synthesised for real (Chalice, CDK, cdk-nag), once per run.

    Under xdist the workers share one synthesis (the first one to take the lock does it), so
    the infra tests cost one synth however they are distributed.
    """
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if worker_id != "master" else base
    outdir = shared / "cdk.out"
    with (shared / "cdk-synth.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (outdir / "done").exists():
            _synthesise(outdir, tmp_path_factory.mktemp("chalice.out"))
            (outdir / "done").touch()
    templates = {
        stage: json.loads((outdir / "app" / f"{stage}.template.json").read_text())
        for stage in ("dev", "prod")
    }
    templates["sample"] = json.loads((outdir / "sample" / "prod.template.json").read_text())
    return Synthesised(outdir=outdir, templates=templates)
