"""Request dependencies: a database session per request and the app's clock."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
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


SessionDep = Annotated[Session, Depends(get_session)]
ClockDep = Annotated[Clock, Depends(get_clock)]
