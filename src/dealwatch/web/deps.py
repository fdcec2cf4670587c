"""Request dependencies: a database session per request, the app's clock, and the write-call API key."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request
from sqlalchemy.orm import Session

from dealwatch.core.clock import Clock


def get_session(request: Request) -> Iterator[Session]:
    """A session for this request, closed afterwards."""
    with request.app.state.sessions() as session:
        yield session


def get_clock(request: Request) -> Clock:
    """The clock the app was built with."""
    clock: Clock = request.app.state.clock
    return clock


def require_api_key(request: Request, x_api_key: Annotated[str | None, Header()] = None) -> None:
    """Write calls need `X-API-Key` equal to `api.key`; without a configured key they are refused."""
    key = request.app.state.settings.api.key
    if key is None:
        raise HTTPException(403, "write calls are disabled: set api.key (DEALWATCH_API__KEY) to enable them")
    if x_api_key is None or not hmac.compare_digest(x_api_key, key.get_secret_value()):
        raise HTTPException(401, "missing or wrong X-API-Key header")


SessionDep = Annotated[Session, Depends(get_session)]
ApiKeyDep = Depends(require_api_key)
ClockDep = Annotated[Clock, Depends(get_clock)]
