from gevent import monkey

monkey.patch_all()
import gevent  # noqa: E402,F401
import requests  # noqa: E402
from gevent.pool import Pool  # noqa: E402


def fetch_limited(urls, limit):
    return Pool(limit + 1).map(lambda u: len(requests.get(u, timeout=10).text), urls)
