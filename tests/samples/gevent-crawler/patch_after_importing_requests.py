import requests
from gevent import monkey

monkey.patch_all()  # too late: requests (and ssl) were imported first
import gevent  # noqa: E402


def fetch_size(url):
    try:
        return len(requests.get(url, timeout=10).text)
    except requests.RequestException:
        return None


def fetch_all(urls):
    jobs = [gevent.spawn(fetch_size, u) for u in urls]
    gevent.joinall(jobs)
    return [job.value for job in jobs]
