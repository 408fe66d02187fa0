import asyncio


async def fetch_all(urls, fetch, limit=5):
    """Await fetch(url) for every url with at most `limit` in flight; return results in order,
    None for a url whose fetch raised."""
    results = []
    for start in range(0, len(urls), limit):
        batch = urls[start:start + limit]
        done = await asyncio.gather(*(fetch(u) for u in batch), return_exceptions=True)
        results += [None if isinstance(r, Exception) else r for r in done]
    return results
