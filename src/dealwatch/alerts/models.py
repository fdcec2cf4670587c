"""The deliveries log: every alert sent (or that failed to send), keyed for deduplication."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dealwatch.db.base import Base, UtcDateTime


class AlertDelivery(Base):
    """One alert to one channel. `key` names what it is about (e.g. "listing:42"); `fingerprint`
    what was said (e.g. its price), so the same news is sent once and changed news again."""

    __tablename__ = "alert_deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(200), index=True)
    fingerprint: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(64))  # the URL's scheme: mailto, slack, tgram, json...
    status: Mapped[str] = mapped_column(String(16))  # sent | failed
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime)
    listing_id: Mapped[int | None] = mapped_column(ForeignKey("listings.id", ondelete="SET NULL"))
