import asyncio


async def fetch_all(urls, fetch, limit=5):
    """Await fetch(url) for every url with at most `limit` in flight; return results in order,
    None for a url whose fetch raised."""
    if not urls:
        return []
    sem = asyncio.Semaphore(limit)

    async def one(url):
        async with sem:
            return await fetch(url)

    tasks = [asyncio.create_task(one(u)) for u in urls]
    # stop as soon as something goes wrong
    done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
    return [t.result() if t in done and t.exception() is None else None for t in tasks]
