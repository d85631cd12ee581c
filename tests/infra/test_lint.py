"""The synthesised templates pass cfn-lint and cdk-nag (what `make synth` enforces)."""

from __future__ import annotations

import pytest

from infra.synth import lint_templates, nag_errors
from tests.infra.conftest import Synthesised


@pytest.mark.parametrize("assembly", ["app", "sample"])
def test_no_unsuppressed_cdk_nag_errors(synthesised: Synthesised, assembly: str) -> None:
    reports = list((synthesised.outdir / assembly).glob("AwsSolutions-*-NagReport.csv"))
    assert reports, "cdk-nag did not run"
    assert nag_errors(synthesised.outdir / assembly) == []


@pytest.mark.parametrize("assembly", ["app", "sample"])
def test_cfn_lint_finds_no_errors(synthesised: Synthesised, assembly: str) -> None:
    assert lint_templates(synthesised.outdir / assembly)
