from gevent import monkey

monkey.patch_all()
import gevent  # noqa: E402
import requests  # noqa: E402


def fetch_size(url):
    try:
        return len(requests.get(url, timeout=10).text)
    except requests.RequestException:
        return None


def fetch_all(urls):
    jobs = [gevent.spawn(fetch_size(u)) for u in urls]  # calls fetch_size now, spawns its result
    gevent.joinall(jobs)
    return [job.value for job in jobs]
