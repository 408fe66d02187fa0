from gevent import monkey

monkey.patch_all()
import gevent  # noqa: E402,F401
import requests  # noqa: E402


def fetch_limited(urls, limit):
    sizes = []
    for start in range(0, len(urls), limit):
        batch = [gevent.spawn(lambda u=u: len(requests.get(u, timeout=10).text)) for u in urls[start:start + limit]]
        gevent.joinall(batch)  # the next batch waits for the slowest request of this one
        sizes += [job.value for job in batch]
    return sizes
