"""Stage settings: `.chalice/config.json` and the CDK stages agree; every plan has a tier."""

from __future__ import annotations

import json
from pathlib import Path

from infra.stages import STAGES, TIERS, plan_names

ROOT = Path(__file__).resolve().parents[2]


def test_chalice_stages_match_the_cdk_stages() -> None:
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    assert set(STAGES) <= set(config["stages"])
    for name, stage in STAGES.items():
        on_disk = config["stages"][name]["environment_variables"]
        injected = stage.environment()
        for variable, value in on_disk.items():
            assert injected.get(variable) == value, f"{name}: {variable}"


def test_every_tenant_plan_has_an_api_tier() -> None:
    assert set(plan_names()) == set(TIERS)
    for tier in TIERS.values():
        assert 0 < tier.rate_per_second <= tier.burst
