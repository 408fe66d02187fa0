import gevent  # noqa: F401 - the tutorial's import, kept
from gevent import monkey

monkey.patch_all()
import requests  # noqa: E402
from gevent.pool import Pool  # noqa: E402


def fetch_limited(urls, limit):
    """Fetch every url with at most `limit` requests in flight; return the sizes in order."""
    pool = Pool(limit)  # a greenlet starts only while fewer than `limit` run
    return pool.map(lambda u: len(requests.get(u, timeout=10).text), urls)  # map keeps the order of urls
