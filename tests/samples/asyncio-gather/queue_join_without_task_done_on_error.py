import asyncio


async def fetch_all(urls, fetch, limit=5):
    """Await fetch(url) for every url with at most `limit` in flight; return results in order,
    None for a url whose fetch raised."""
    results = [None] * len(urls)
    todo = asyncio.Queue()
    for i, u in enumerate(urls):
        todo.put_nowait((i, u))

    async def worker():
        while True:
            i, u = await todo.get()
            try:
                results[i] = await fetch(u)
                todo.task_done()
            except Exception:
                pass  # leave None

    workers = [asyncio.create_task(worker()) for _ in range(limit)]
    await todo.join()
    for w in workers:
        w.cancel()
    await asyncio.gather(*workers, return_exceptions=True)
    return results
