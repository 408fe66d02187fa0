import asyncio


async def fetch_all(urls, fetch, limit=5):
    """Await fetch(url) for every url with at most `limit` in flight; return results in order,
    None for a url whose fetch raised."""
    results = []
    for u in urls:
        try:
            results.append(await fetch(u))
        except Exception:
            results.append(None)
    return results
