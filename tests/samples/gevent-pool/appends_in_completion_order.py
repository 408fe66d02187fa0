from gevent import monkey

monkey.patch_all()
import gevent  # noqa: E402,F401
import requests  # noqa: E402
from gevent.pool import Pool  # noqa: E402


def fetch_limited(urls, limit):
    pool = Pool(limit)
    sizes = []
    for u in urls:
        pool.spawn(lambda u=u: len(requests.get(u, timeout=10).text)).link_value(lambda job: sizes.append(job.value))
    pool.join()
    return sizes  # in the order the responses came back
