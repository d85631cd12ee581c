"""``make synth``: synthesise every stage, then lint the templates; non-zero exit on any error.

1. CDK synth (Chalice packaging included) into ``cdk.out/``; needs no AWS account.
2. ``cfn-lint`` on every template: errors fail, warnings are shown.
3. cdk-nag AwsSolutions reports (``cdk.out/AwsSolutions-*-NagReport.csv``): any non-compliant
   finding of level Error that is not suppressed (with a reason, in infra/nag.py) fails.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CFN_LINT_ERRORS = 2  # cfn-lint's exit code is a bit mask: 2 errors, 4 warnings, 8 informational


def synthesise(outdir: Path) -> None:
    """Run the CDK app (the same code `cdk synth` runs)."""
    from infra.app import build_app

    build_app(outdir=str(outdir)).synth()  # type: ignore[attr-defined]


def lint_templates(outdir: Path) -> bool:
    """cfn-lint every template; True when there are no errors."""
    templates = sorted(str(p) for p in outdir.glob("*.template.json"))
    region = os.environ.get("CDK_DEFAULT_REGION", "eu-west-1")
    result = subprocess.run(  # noqa: S603  (our own venv binary, our own files)
        [str(Path(sys.executable).parent / "cfn-lint"), "--regions", region, "--", *templates],
        check=False,
    )
    print(f"cfn-lint: {len(templates)} templates, exit code {result.returncode}")
    return not result.returncode & CFN_LINT_ERRORS


def nag_errors(outdir: Path) -> list[dict[str, str]]:
    """Unsuppressed cdk-nag findings of level Error, from the pack's CSV reports."""
    findings = []
    for report in sorted(outdir.glob("AwsSolutions-*-NagReport.csv")):
        with report.open(newline="") as handle:
            for row in csv.DictReader(handle):
                if row["Compliance"] == "Non-Compliant" and row["Rule Level"] == "Error":
                    findings.append({"report": report.name, **row})
    return findings


def main() -> int:
    """Synthesise and check; the exit status is what `make synth` reports."""
    outdir = Path(os.environ.get("CDK_OUTDIR") or ROOT / "cdk.out")
    synthesise(outdir)
    lint_ok = lint_templates(outdir)
    errors = nag_errors(outdir)
    for finding in errors:
        print(f"cdk-nag: {finding['Rule ID']} {finding['Resource ID']}: {finding['Rule Info']}")
    reports = len(list(outdir.glob("AwsSolutions-*-NagReport.csv")))
    print(f"cdk-nag: {reports} reports, {len(errors)} unsuppressed errors")
    print(f"templates in {outdir}")
    return 0 if lint_ok and not errors else 1


if __name__ == "__main__":
    raise SystemExit(main())
