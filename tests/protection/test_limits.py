"""Attempts beyond the window's allowance wait until the oldest falls out of it."""

import pytest

from kieubao.platform.limits import Limiter, TooMany


def test_the_window_slides() -> None:
    limiter = Limiter(attempts=2, seconds=60)
    limiter.hit("ip", now=0)
    limiter.hit("ip", now=10)
    with pytest.raises(TooMany):
        limiter.hit("ip", now=59)
    limiter.hit("other", now=59)  # each key has its own window
    limiter.hit("ip", now=61)  # the first attempt has left the window
