from gevent import monkey

monkey.patch_all()
import gevent  # noqa: E402
import requests  # noqa: E402


def fetch_all(urls):
    sizes = []

    def fetch(url):
        try:
            sizes.append(len(requests.get(url, timeout=10).text))
        except requests.RequestException:
            sizes.append(None)

    gevent.joinall([gevent.spawn(fetch, u) for u in urls])
    return sizes  # in the order the responses came back
