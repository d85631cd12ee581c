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


def test_context_overrides_per_stage_win_over_global_ones() -> None:
    from infra.app import with_context_overrides

    context = {"ses_sender": "all@example.com", "prod.ses_sender": "support@acme.example"}
    prod = with_context_overrides(STAGES["prod"], context.get)
    dev = with_context_overrides(STAGES["dev"], context.get)
    assert prod.ses_sender == "support@acme.example"
    assert dev.ses_sender == "all@example.com"
    assert prod.environment()["SES_SENDER"] == "support@acme.example"
    assert with_context_overrides(STAGES["dev"], {}.get) is STAGES["dev"]
