"""How an order that did not ship ends: a failed workflow (red in the Web UI's list, apart
from a shipped one) whose failure carries its result, typed by how it ended; and how a client
reads it back (`result_of`), or learns that another run owns the order (`owner_of_refused`)."""

from __future__ import annotations

from temporalio.exceptions import ApplicationError

from workflows.money import told
from workflows.order_state import OrderResult, SagaState

# An order that did not ship (compensated, expired, settled by a person) ends as a failed
# workflow, so the Web UI's list shows it red, apart from a shipped one; the failure carries
# the OrderResult as its details. Clients read it back with `result_of`.
COMPENSATED_FAILURE_TYPES = {
    SagaState.COMPENSATED: "OrderCompensated",
    SagaState.EXPIRED: "OrderExpired",
    SagaState.RESOLVED: "OrderResolved",
}


def compensated_failure(result: OrderResult) -> ApplicationError:
    """The failure a compensated saga ends with: why, what was undone, the result itself."""
    undone = told(result.undone, result.total, result.currency)
    why = (
        f"{result.failed_step} failed ({result.error_type}: {result.error_message})"
        if result.failed_step
        else result.error_message
    )
    message = f"order {result.order_id} {result.status}: {why}; undone: {undone}"
    return ApplicationError(
        message,
        result,
        type=COMPENSATED_FAILURE_TYPES[result.status],
        non_retryable=True,
    )


ORDER_TAKEN = "OrderTakenByAnotherRun"


def owner_of_refused(failure: BaseException | None) -> tuple[str, str | None] | None:
    """The workflow id and first run id of the run that owns the order, when a saga run
    ended refused because of it; None for any other failure."""
    if not isinstance(failure, ApplicationError) or failure.type != ORDER_TAKEN:
        return None
    details = [*failure.details, None, None]
    return str(details[0]), (str(details[1]) if details[1] else None)


def result_of(failure: BaseException | None) -> OrderResult | None:
    """The OrderResult a compensated saga's failure carries; None for any other failure."""
    if not isinstance(failure, ApplicationError):
        return None
    if failure.type not in COMPENSATED_FAILURE_TYPES.values() or not failure.details:
        return None
    return OrderResult.model_validate(failure.details[0])
