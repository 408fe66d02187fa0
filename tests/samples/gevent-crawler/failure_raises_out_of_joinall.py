from gevent import monkey

monkey.patch_all()
import gevent  # noqa: E402
import requests  # noqa: E402


def fetch_size(url):
    return len(requests.get(url, timeout=10).text)


def fetch_all(urls):
    jobs = [gevent.spawn(fetch_size, u) for u in urls]
    gevent.joinall(jobs, raise_error=True)  # the failing URL's error ends everything
    return [job.value for job in jobs]
