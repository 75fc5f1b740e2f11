"""How `--help` shows options: a flag takes no value, so it shows none (Typer's default column
says `<bool>` beside `--wait`, as if it wanted one)."""

from __future__ import annotations

from typing import Any

from typer.core import TyperCommand, TyperGroup


def _flags_without_type(params: list[Any]) -> list[Any]:
    for param in params:
        if getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""
    return params


class Command(TyperCommand):
    """A command whose flags, `--help` included, show no value type."""

    def get_params(self, ctx: Any) -> list[Any]:
        """The parameters, each flag with an empty value type."""
        return _flags_without_type(super().get_params(ctx))


class Group(TyperGroup):
    """A group whose flags, `--help` and `--version` included, show no value type."""

    def get_params(self, ctx: Any) -> list[Any]:
        """The parameters, each flag with an empty value type."""
        return _flags_without_type(super().get_params(ctx))
