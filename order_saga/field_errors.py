"""pydantic's validation errors as a person reads them, for every front end: the field's
dotted path (`items.0.quantity`) and the message without pydantic's `Value error, ` prefix."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import ValidationError

REQUEST_PARTS = ("body", "query", "path")  # where an HTTP framework found the field


def field_errors(errors: Iterable[Mapping[str, Any]], whole: str) -> list[tuple[str, str]]:
    """(field, message) for each problem; `whole` names the input when no field is at fault."""
    found = []
    for problem in errors:
        location = [str(part) for part in problem["loc"]]
        if location and location[0] in REQUEST_PARTS:
            location = location[1:]
        if problem.get("type") == "json_invalid":  # its location is a character offset
            found.append((whole, f"not valid JSON ({problem.get('ctx', {}).get('error', '?')})"))
            continue
        message = str(problem["msg"]).removeprefix("Value error, ")
        found.append((".".join(location) or whole, message))
    return found


def describe_validation_error(err: ValidationError) -> str:
    """One line naming each bad field, e.g. `items.0.quantity: must be at least 1`."""
    return "; ".join(
        f"{field}: {message}" for field, message in field_errors(err.errors(), "order")
    )
