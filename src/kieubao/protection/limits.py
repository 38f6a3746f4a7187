"""The protection domain's limits on public intake and case tracking."""

from kieubao.platform.limits import Limiter

# Public reports per IP address; wrong PINs per case number and per IP address.
intake = Limiter(attempts=10, seconds=3600)
wrong_pin = Limiter(attempts=5, seconds=900)
