"""R11: the RMA lifecycle authorized -> received -> closed, or cancelled."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from rules.lifecycle_model import ReturnState
from rules.model import ErrorCode, RuleError
from rules.returns import cancel_return, close_return, receive_return


def test_an_authorized_return_is_received_then_closed() -> None:
    received = receive_return(ReturnState.AUTHORIZED, "RMA-1")
    assert received is ReturnState.RECEIVED
    assert close_return(received, "RMA-1") is ReturnState.CLOSED


def test_an_authorized_return_can_be_cancelled() -> None:
    assert cancel_return(ReturnState.AUTHORIZED, "RMA-1") is ReturnState.CANCELLED


@pytest.mark.parametrize(
    ("step", "state"),
    [
        (receive_return, ReturnState.RECEIVED),
        (receive_return, ReturnState.CLOSED),
        (receive_return, ReturnState.CANCELLED),
        (close_return, ReturnState.AUTHORIZED),
        (close_return, ReturnState.CLOSED),
        (close_return, ReturnState.CANCELLED),
        (cancel_return, ReturnState.RECEIVED),
        (cancel_return, ReturnState.CLOSED),
    ],
)
def test_any_other_step_is_an_invalid_state_naming_the_return(
    step: Callable[[ReturnState, str], ReturnState], state: ReturnState
) -> None:
    with pytest.raises(RuleError) as raised:
        step(state, "RMA-7")

    (violation,) = raised.value.violations
    assert (violation.code, violation.ids) == (ErrorCode.INVALID_STATE, ("RMA-7",))
    assert state.value in violation.message
