from gevent import monkey

monkey.patch_all()
import gevent  # noqa: E402,F401
import requests  # noqa: E402
from gevent.lock import BoundedSemaphore  # noqa: E402


def fetch_limited(urls, limit):
    slots = BoundedSemaphore(limit)

    def fetch(u):
        with slots:  # at most `limit` greenlets inside at once
            return len(requests.get(u, timeout=10).text)

    jobs = [gevent.spawn(fetch, u) for u in urls]
    gevent.joinall(jobs)
    return [job.value for job in jobs]
