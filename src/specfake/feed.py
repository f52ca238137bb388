"""The live feed behind ``GET /__specfake__/events``: what happened, fanned out to every open
event stream (the dashboard's).

Each subscriber has its own queue, bounded at :data:`QUEUE_LIMIT` events: a subscriber that
reads slower than requests arrive (a tab in the background, a stalled connection) would
otherwise keep every entry alive. When its queue is full, the queue is emptied and the
subscriber is told it missed events, so it fetches the journal again instead; memory stays
bounded whatever the rate. Publishing costs nothing when nobody listens.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # a type only: the journal and the feed are independent
    from specfake.journal import JournalEntry

QUEUE_LIMIT = 256  # events kept per subscriber before it is told to refetch
MAX_SUBSCRIBERS = 64  # open event streams; past it a new one is refused (503)

# What a "changed" event names: the dashboard fetches that part again.
Changed = Literal["state", "overrides", "faults", "world", "requests"]


@dataclass(frozen=True, slots=True)
class Event:
    """``kind`` "request" carries a journal entry; "changed" names what to fetch again."""

    kind: Literal["request", "changed"]
    data: JournalEntry | Changed


class Missed:
    """What :meth:`Subscription.next` gives after events were dropped: fetch everything again."""

    def __init__(self, count: int) -> None:
        self.count = count


class Subscription:
    """One subscriber's bounded queue. Closed by the feed at shutdown or by its stream."""

    def __init__(self, feed: Feed, limit: int = QUEUE_LIMIT) -> None:
        self._feed = feed
        self._limit = limit
        self._events: deque[Event] = deque()
        self._missed = 0
        self._wakeup = asyncio.Event()
        self.closed = False

    def __len__(self) -> int:
        """Events waiting to be read."""
        return len(self._events)

    def put(self, event: Event) -> None:
        if self.closed:
            return
        if len(self._events) >= self._limit:  # too slow: drop what waits, say so once
            self._missed += len(self._events) + 1
            self._events.clear()
        else:
            self._events.append(event)
        self._wakeup.set()

    async def next(self, timeout: float) -> list[Event] | Missed | None:
        """What arrived since the last call (``[]`` after ``timeout`` s of nothing), a
        :class:`Missed`, or ``None`` once closed."""
        if not self._events and not self._missed and not self.closed:
            try:
                await asyncio.wait_for(self._wakeup.wait(), timeout)
            except TimeoutError:
                return []
        self._wakeup.clear()
        if self.closed:
            return None
        if self._missed:
            missed, self._missed = self._missed, 0
            self._events.clear()
            return Missed(missed)
        events = list(self._events)
        self._events.clear()
        return events

    def close(self) -> None:
        self.closed = True
        self._events.clear()
        self._wakeup.set()
        self._feed.unsubscribe(self)


class FeedFull(Exception):
    """:data:`MAX_SUBSCRIBERS` streams are open already."""


class Feed:
    """The running server's subscribers; closed once, at shutdown."""

    def __init__(self, max_subscribers: int = MAX_SUBSCRIBERS) -> None:
        self._subscribers: list[Subscription] = []
        self._max = max_subscribers
        self._closed = False

    def subscribe(self) -> Subscription:
        """A new subscription (already closed after :meth:`close`); raises :class:`FeedFull`."""
        if len(self._subscribers) >= self._max:
            raise FeedFull(self._max)
        subscription = Subscription(self)
        if self._closed:
            subscription.closed = True
        else:
            self._subscribers.append(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        if subscription in self._subscribers:
            self._subscribers.remove(subscription)

    @property
    def subscribers(self) -> int:
        return len(self._subscribers)

    def request(self, entry: JournalEntry) -> None:
        """A journal entry was recorded (the hot path: nothing to do without subscribers)."""
        if self._subscribers:
            self._publish(Event("request", entry))

    def changed(self, what: Changed) -> None:
        if self._subscribers:
            self._publish(Event("changed", what))

    def _publish(self, event: Event) -> None:
        for subscription in self._subscribers:
            subscription.put(event)

    def close(self) -> None:
        """End every open stream now, and any opened later at once: a stream never ends by
        itself, and shutdown would otherwise wait the whole grace period for it."""
        self._closed = True
        for subscription in list(self._subscribers):
            subscription.close()
