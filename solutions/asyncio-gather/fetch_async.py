import asyncio


async def fetch_all(urls, fetch, limit=5):
    """Await fetch(url) for every url with at most `limit` in flight; return results in order,
    None for a url whose fetch raised."""
    places = asyncio.Semaphore(limit)

    async def one(url):
        async with places:  # at most `limit` fetches in flight; a freed place goes to a waiting URL at once
            try:
                return await fetch(url)
            except Exception:  # this URL failed: None, and the others go on
                return None

    return await asyncio.gather(*(one(u) for u in urls))  # in the order of `urls`
