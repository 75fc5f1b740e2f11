"""The base of every activity and workflow message, and the field types input must satisfy.

Every workflow and activity takes one model and returns one, so fields can be added later
without breaking sagas that are already running. What a client sends is checked here to fit
every column and API it reaches, so valid input can never fail later in SQL or at Stripe.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

# Control characters (C0, DEL, C1), format characters (bidirectional overrides and isolates,
# zero-width joiners and spaces, the BOM), surrogates and line or paragraph separators: none is
# typed by a person, and a right-to-left override makes a name read differently from its bytes.
HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


class Strict(BaseModel):
    """Base for messages: unknown fields are refused so typos never pass silently."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def printable(value: str) -> str:
    """No NUL, control or invisible formatting characters: PostgreSQL refuses NUL, and no
    person means any of them."""
    for char in value:
        if unicodedata.category(char) in HIDDEN_CATEGORIES:
            raise ValueError(
                f"must not contain control or invisible formatting characters (U+{ord(char):04X})"
            )
    return value


def whole_number(value: object) -> object:
    """An integer, or digits in a string (a command line's); never a boolean or a float."""
    if isinstance(value, bool | float):
        raise ValueError("must be a whole number")
    return value


Text = Annotated[str, Field(max_length=200), AfterValidator(printable)]
NonEmpty = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(printable)]
WholeNumber = Annotated[int, BeforeValidator(whole_number)]

# Where all stock was before warehouses: a line, a parcel or a shipment naming no warehouse.
HOME_WAREHOUSE = "main"
