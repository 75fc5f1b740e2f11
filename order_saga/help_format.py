"""How `--help` shows commands and options: a flag takes no value, so it shows none (Typer's
default column says `<bool>` beside `--wait`, as if it wanted one); a docstring's paragraphs
flow to the terminal's width instead of breaking where the source line ended."""

from __future__ import annotations

import inspect
from typing import Any

from typer.core import TyperCommand, TyperGroup


def _flags_without_type(params: list[Any]) -> list[Any]:
    for param in params:
        if getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""
    return params


def reflowed(text: str | None) -> str | None:
    """A docstring as paragraphs, each one line: the help formatter wraps them to fit."""
    if not text:
        return text
    paragraphs = inspect.cleandoc(text).split("\n\n")
    return "\n\n".join(" ".join(p.split()) for p in paragraphs)


class Command(TyperCommand):
    """A command whose flags, `--help` included, show no value type."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = reflowed(self.help)

    def get_params(self, ctx: Any) -> list[Any]:
        """The parameters, each flag with an empty value type."""
        return _flags_without_type(super().get_params(ctx))


class Group(TyperGroup):
    """A group whose flags, `--help` and `--version` included, show no value type."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = reflowed(self.help)

    def get_params(self, ctx: Any) -> list[Any]:
        """The parameters, each flag with an empty value type."""
        return _flags_without_type(super().get_params(ctx))
