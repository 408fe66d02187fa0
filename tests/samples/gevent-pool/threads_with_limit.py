from concurrent.futures import ThreadPoolExecutor

import requests


def fetch_limited(urls, limit):
    with ThreadPoolExecutor(max_workers=limit) as pool:
        return list(pool.map(lambda u: len(requests.get(u, timeout=10).text), urls))
