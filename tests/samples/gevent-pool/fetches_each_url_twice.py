from gevent import monkey

monkey.patch_all()
import gevent  # noqa: E402,F401
import requests  # noqa: E402
from gevent.pool import Pool  # noqa: E402


def fetch(u):
    if requests.get(u, timeout=10).ok:  # a first request only to see that the page is there
        return len(requests.get(u, timeout=10).text)
    return None


def fetch_limited(urls, limit):
    return Pool(limit).map(fetch, urls)
