"""The live feed: every subscriber gets what is published, in order; a slow one is bounded
(its queue emptied and a ``Missed`` given instead), and closing the feed ends every stream."""

from __future__ import annotations

import asyncio

import pytest

from specfake.feed import Event, Feed, FeedFull, Missed


def run(coroutine):
    return asyncio.run(coroutine)


def test_each_subscriber_gets_every_event_in_order():
    async def scenario():
        feed = Feed()
        first, second = feed.subscribe(), feed.subscribe()
        feed.request("a")
        feed.changed("state")
        return await first.next(1), await second.next(1)

    first, second = run(scenario())
    expected = [Event("request", "a"), Event("changed", "state")]
    assert first == expected and second == expected


def test_next_gives_an_empty_batch_after_the_timeout():
    async def scenario():
        subscription = Feed().subscribe()
        return await subscription.next(0.01)

    assert run(scenario()) == []


def test_a_slow_subscriber_is_bounded_and_told_what_it_missed():
    async def scenario():
        feed = Feed()
        slow = feed.subscribe()
        for index in range(1000):  # nobody reads meanwhile
            feed.request(index)
        kept = len(slow)
        missed = await slow.next(1)
        feed.request("after")
        return kept, missed, await slow.next(1)

    kept, missed, after = run(scenario())
    assert kept < 256
    assert isinstance(missed, Missed) and missed.count > 700
    assert after == [Event("request", "after")]  # back to normal once it caught up


def test_closing_the_feed_ends_every_subscription_and_any_opened_later():
    async def scenario():
        feed = Feed()
        subscription = feed.subscribe()
        waiting = asyncio.create_task(subscription.next(30))
        await asyncio.sleep(0)
        feed.close()
        ended = await asyncio.wait_for(waiting, 1)
        late = feed.subscribe()
        return ended, feed.subscribers, await late.next(30)

    assert run(scenario()) == (None, 0, None)


def test_a_closed_subscription_leaves_the_feed_and_gets_nothing():
    async def scenario():
        feed = Feed()
        subscription = feed.subscribe()
        subscription.close()
        feed.request("ignored")
        return feed.subscribers, await subscription.next(1)

    assert run(scenario()) == (0, None)


def test_subscribers_are_capped():
    async def scenario():
        feed = Feed(max_subscribers=2)
        feed.subscribe()
        feed.subscribe()
        with pytest.raises(FeedFull):
            feed.subscribe()

    run(scenario())
