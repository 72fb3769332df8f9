"""The return merchandise authorization (RMA) lifecycle (R11): AUTHORIZED -> RECEIVED -> CLOSED,
or AUTHORIZED -> CANCELLED when its order is cancelled.

Each function takes the RMA's current state and id and returns the next state, or refuses with
INVALID_STATE naming the RMA.
"""

from __future__ import annotations

from rules.lifecycle_model import ReturnState
from rules.model import ErrorCode, RuleError, RuleViolation


def receive_return(state: ReturnState, return_id: str) -> ReturnState:
    """The device is back in the warehouse: AUTHORIZED -> RECEIVED."""
    return _advance(state, return_id, ReturnState.AUTHORIZED, ReturnState.RECEIVED, "received")


def close_return(state: ReturnState, return_id: str) -> ReturnState:
    """The received device is processed: RECEIVED -> CLOSED."""
    return _advance(state, return_id, ReturnState.RECEIVED, ReturnState.CLOSED, "closed")


def cancel_return(state: ReturnState, return_id: str) -> ReturnState:
    """The device no longer needs to come back (its order was cancelled): AUTHORIZED -> CANCELLED."""
    return _advance(state, return_id, ReturnState.AUTHORIZED, ReturnState.CANCELLED, "cancelled")


def _advance(
    state: ReturnState, return_id: str, required: ReturnState, next_state: ReturnState, verb: str
) -> ReturnState:
    if state is not required:
        raise RuleError(
            RuleViolation(
                ErrorCode.INVALID_STATE,
                f"Return {return_id} is {state}; only a {required} return can be {verb}",
                field="returnId",
                ids=(return_id,),
            )
        )
    return next_state
