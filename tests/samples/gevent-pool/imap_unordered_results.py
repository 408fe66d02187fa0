from gevent import monkey

monkey.patch_all()
import gevent  # noqa: E402,F401
import requests  # noqa: E402
from gevent.pool import Pool  # noqa: E402


def fetch_limited(urls, limit):
    pool = Pool(limit)
    return list(pool.imap_unordered(lambda u: len(requests.get(u, timeout=10).text), urls))
