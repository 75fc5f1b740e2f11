"""The plan alone: the fewest warehouses, the home one first among equals, the same plan for
the same stock, and the greedy search past the exact one's reach."""

from __future__ import annotations

from decimal import Decimal

from activities.inventory.contracts import OrderItem
from activities.inventory.warehouses import EXACT_UP_TO, plan


def items(*lines: tuple[str, int]) -> list[OrderItem]:
    return [OrderItem(sku=s, quantity=q, unit_price=Decimal("1.00")) for s, q in lines]


def test_the_home_warehouse_wins_a_tie() -> None:
    held = {"east": {"a": 5}, "main": {"a": 5}, "alpha": {"a": 5}}
    assert plan(items(("a", 2)), held) == {"a": "main"}
    del held["main"]
    assert plan(items(("a", 2)), held) == {"a": "alpha"}  # then by name


def test_one_warehouse_with_everything_beats_the_home_one_with_some() -> None:
    held = {"main": {"a": 9, "b": 9}, "east": {"a": 9, "b": 9, "c": 9}, "west": {"c": 9}}
    assert set(plan(items(("a", 1), ("b", 1), ("c", 1)), held).values()) == {"east"}


def test_a_line_is_never_split_and_none_is_the_answer_when_no_one_holds_it() -> None:
    held = {"main": {"a": 2}, "east": {"a": 2}}
    assert plan(items(("a", 3)), held) is None


def test_past_the_exact_search_the_greedy_one_still_covers_every_line() -> None:
    held = {f"w{n:02}": {f"s{n}": 1} for n in range(EXACT_UP_TO + 3)}
    held["big"] = {f"s{n}": 1 for n in range(EXACT_UP_TO)}
    wanted = items(*((f"s{n}", 1) for n in range(EXACT_UP_TO + 3)))
    where = plan(wanted, held)
    assert where is not None and len(set(where.values())) == 4  # big and the three it lacks
