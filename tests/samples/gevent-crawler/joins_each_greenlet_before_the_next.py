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
    sizes = []
    for u in urls:
        job = gevent.spawn(fetch_size, u)
        job.join()  # waits for this one before the next is even spawned
        sizes.append(job.value)
    return sizes
