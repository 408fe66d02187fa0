from gevent import monkey

monkey.patch_all()
import requests  # noqa: E402
from gevent.pool import Pool  # noqa: E402


def fetch_size(url):
    try:
        return len(requests.get(url, timeout=10).text)
    except requests.RequestException:
        return None


def fetch_all(urls):
    return Pool(2).map(fetch_size, urls)  # two at a time: the others wait
