from gevent import monkey

monkey.patch_all()  # before requests is imported: it must find the cooperative socket and ssl

import gevent  # noqa: E402
import requests  # noqa: E402


def fetch_size(url):
    try:
        return len(requests.get(url, timeout=10).text)
    except requests.RequestException:
        return None


def fetch_all(urls):
    """Fetch every url concurrently with gevent greenlets; return the sizes in the order of urls."""
    jobs = [gevent.spawn(fetch_size, u) for u in urls]
    gevent.joinall(jobs)
    return [job.value for job in jobs]
