import gevent
from gevent import monkey
monkey.patch_all()
import requests


def fetch_limited(urls, limit):
    """Fetch every url with at most `limit` requests in flight; return the sizes in order."""
    jobs = [gevent.spawn(lambda u=u: len(requests.get(u, timeout=10).text)) for u in urls]
    gevent.joinall(jobs)
    return [j.value for j in jobs]
