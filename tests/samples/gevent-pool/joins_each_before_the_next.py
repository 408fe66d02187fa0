from gevent import monkey

monkey.patch_all()
import gevent  # noqa: E402,F401
import requests  # noqa: E402


def fetch_limited(urls, limit):
    sizes = []
    for u in urls:
        job = gevent.spawn(lambda: len(requests.get(u, timeout=10).text))
        job.join()  # one at a time, whatever the limit
        sizes.append(job.value)
    return sizes
