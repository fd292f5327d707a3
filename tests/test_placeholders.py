from __future__ import annotations

import pytest

from lakehouse_assets.contracts.environment import Environment
from lakehouse_assets.contracts.placeholders import UnresolvedPlaceholder, resolve, resolve_text

ENV = Environment(
    env="dev",
    env_short="d",
    catalogs={"silver": "ct_silver_dev"},
    paths={"landing": "/mnt/landing"},
)


def test_every_kind_resolves_inside_nested_values():
    raw = {
        "catalog": "{catalog.silver}",
        "source": {"path": "{path.landing}/x_{env}"},
        "tags": ["{env_short}", "plain"],
        "n": 3,
    }
    assert resolve(raw, ENV) == {
        "catalog": "ct_silver_dev",
        "source": {"path": "/mnt/landing/x_dev"},
        "tags": ["d", "plain"],
        "n": 3,
    }


def test_unknown_placeholder_names_the_field_and_what_is_known():
    with pytest.raises(UnresolvedPlaceholder) as err:
        resolve({"source": {"path": "{path.bronze}/x"}}, ENV)
    assert err.value.field == "source.path"
    assert err.value.placeholder == "{path.bronze}"
    assert "{path.landing}" in err.value.known


def test_sql_braces_are_not_placeholders():
    assert (
        resolve_text("select '{\"a\": 1}' from {catalog.silver}.s.t", ENV)
        == "select '{\"a\": 1}' from ct_silver_dev.s.t"
    )


def test_demo_contracts_resolve_per_environment(demo_dir, monkeypatch):
    from lakehouse_assets.project_loader import load_project

    local = load_project(demo_dir)
    dev = load_project(demo_dir, env="dev")
    key = ("silver", "shop", "orders")
    assert local.assets[key].contract.catalog == "silver"
    assert dev.assets[key].contract.catalog == "ct_silver_dev"
    assert (
        dev.assets[("bronze", "shop", "orders_raw")].ingestion.source.path
        == "/Volumes/ct_landing_dev/shop/landing/orders"
    )
    # Asset keys never depend on the resolved catalog.
    assert set(local.assets) == set(dev.assets)
    monkeypatch.setenv("LAKEHOUSE_ENV", "dev")
    assert load_project(demo_dir).env_name == "dev"
