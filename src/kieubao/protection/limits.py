"""The protection domain's limits on public intake and case tracking."""

from kieubao.platform.limits import Limiter
from kieubao.platform.settings import get_settings

# Public reports per IP address; wrong PINs per case number and per IP address.
intake = Limiter(attempts=lambda: get_settings().intake_per_hour, seconds=3600)
wrong_pin = Limiter(attempts=5, seconds=900)
