"""What a provider tells us about a message it took."""

from typing import Literal

from pydantic import BaseModel, Field


class ReceiptIn(BaseModel):
    provider_id: str = Field(min_length=1, max_length=200)
    status: Literal["delivered", "failed", "bounced"]
    reason: str = Field(default="", max_length=2000)
    # A hard bounce: the address does not exist, so nothing more is sent to it.
    disable_address: bool = False


class ReceiptOut(BaseModel):
    key: str
    status: str
