"""Scenarios for asyncio-gather; they run in the child, next to the student's module, and only observe.

fetch_all runs on the harness's event loop with a virtual clock (probe.run_coroutine):
awaiting takes virtual time only. The test passes its own `fetch`, a coroutine that notes which URL
is in flight when (probe.Visits, in virtual time), waits its URL's virtual seconds with
asyncio.sleep, and returns the page, or raises for the URLs in `fail`; it also notes a fetch that was
cancelled. Every comparison happens in the test.
"""

import asyncio


class FetchError(Exception):
    """What the test's fetch raises for a URL in `fail`."""


def fetch_all_case(module, probe, urls, seconds, fail=(), limit=None):
    """fetch_all(urls, fetch[, limit]) on the virtual loop: what it returned or raised, who was in
    flight when, which fetches ended and which were cancelled, the tasks it left pending, and the
    blocking sleeps made inside the loop."""
    wait = dict(zip(urls, seconds))
    visits = probe.Visits("fetch")
    ended, cancelled = [], []

    async def fetch(url):
        with visits.inside(url):
            try:
                await asyncio.sleep(wait.get(url, 1))
            except asyncio.CancelledError:
                cancelled.append({"url": url, "at": probe.now()})
                raise
            ended.append(url)
            if url in fail:
                raise FetchError(f"{url}: 503 Service Unavailable")
            return f"<html>{url}</html>"

    def observe():  # as things stood when fetch_all ended, before the loop's clean-up
        return {"log": [dict(e) for e in visits.log[:1000]], "ended": ended[:1000],
                "cancelled": [dict(c) for c in cancelled[:1000]], "blocking": probe.blocking_sleeps()[:50]}

    if limit is None:
        ran = probe.run_coroutine(lambda: module.fetch_all(list(urls), fetch), observe=observe)
    else:
        ran = probe.run_coroutine(lambda: module.fetch_all(list(urls), fetch, limit), observe=observe)
    seen = ran.pop("observed")
    return {"ran": ran, **seen}
