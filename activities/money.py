"""Money is Decimal with two places; Stripe wants integer minor units of the currency."""

from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator

# Minor-unit exponent per supported currency (Stripe's zero-decimal currencies have 0).
CURRENCY_EXPONENTS: dict[str, int] = {
    "usd": 2,
    "eur": 2,
    "gbp": 2,
    "cad": 2,
    "aud": 2,
    "chf": 2,
    "jpy": 0,
}
MAX_AMOUNT = Decimal("99999999.99")  # NUMERIC(10, 2) in the payments table
STRIPE_MAX_CHARGE = 99_999_999  # minor units: Stripe's largest amount (eight digits)


def check_amount(value: Decimal) -> Decimal:
    """Refuse floats' cousins: negative, non-finite or sub-cent amounts."""
    if not value.is_finite():
        raise ValueError("must be a finite amount")
    if value < 0:
        raise ValueError("must not be negative")
    if value > MAX_AMOUNT:
        raise ValueError(f"must not exceed {MAX_AMOUNT}")
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2 and value != value.quantize(Decimal("0.01")):
        raise ValueError("must have at most two decimal places")
    return value.quantize(Decimal("0.01"))


def from_minor_units(units: int, currency: str) -> Decimal:
    """An amount in the currency's major unit."""
    return Decimal(units).scaleb(-CURRENCY_EXPONENTS[currency])


def to_minor_units(amount: Decimal, currency: str) -> int:
    """Exact conversion; an amount that does not fit the currency's unit is an error."""
    scaled = amount.scaleb(CURRENCY_EXPONENTS[currency])
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{amount} is not a whole number of {currency.upper()} minor units")
    return int(scaled)


Price = Annotated[Decimal, AfterValidator(check_amount)]
