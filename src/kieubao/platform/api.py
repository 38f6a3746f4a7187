"""The platform over JSON, under /api/v1: a signed-in person's own API tokens."""

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from kieubao.platform import accounts
from kieubao.platform.deps import Admin, SessionDep, Signed
from kieubao.platform.models import ApiToken

router = APIRouter(tags=["tokens"])


class TokenOut(BaseModel):
    """A token as its owner sees it: never the token itself, which is shown once, at birth."""

    id: int
    prefix: str
    label: str
    owner: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, row: ApiToken) -> "TokenOut":
        return cls(
            id=row.id,
            prefix=row.prefix,
            label=row.label,
            owner=row.user.email,
            created_at=row.created_at,
            expires_at=row.expires_at,
            last_used_at=row.last_used_at,
            revoked_at=row.revoked_at,
        )


@router.get("/tokens", response_model=list[TokenOut])
def my_tokens(session: SessionDep, user: Signed) -> list[TokenOut]:
    """The caller's own tokens, newest first: to find one to revoke."""
    return [TokenOut.of(row) for row in accounts.api_tokens(session, user=user)]


@router.get("/tokens/all", response_model=list[TokenOut])
def all_tokens(session: SessionDep, user: Admin) -> list[TokenOut]:
    return [TokenOut.of(row) for row in accounts.api_tokens(session)]


@router.delete("/tokens/{token_id}", response_model=TokenOut)
def revoke_token(token_id: int, session: SessionDep, user: Signed) -> TokenOut:
    """Revoke one of one's own tokens (an administrator: anyone's); from the next request
    on it is refused with 401. A token one may not revoke is not found."""
    return TokenOut.of(accounts.revoke_api_token(session, acting_user=user, token_id=token_id))
