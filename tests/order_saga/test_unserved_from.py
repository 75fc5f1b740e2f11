"""UNSERVED_FROM, the countries a carrier refuses from a warehouse: read per warehouse, and a
route that says no country is refused naming the setting."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from order_saga.settings import Settings


def test_each_warehouse_gets_its_countries_and_a_bad_route_is_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("UNSERVED_FROM", "east: ca, mx ; west:GB;")
    assert Settings().unserved_from == {
        "east": frozenset({"CA", "MX"}),
        "west": frozenset({"GB"}),
    }
    monkeypatch.setenv("UNSERVED_FROM", "east")
    with pytest.raises(ValidationError, match=r"unserved_from[\s\S]*WAREHOUSE:COUNTRY"):
        Settings()
