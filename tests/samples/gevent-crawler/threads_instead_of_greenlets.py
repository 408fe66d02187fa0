from concurrent.futures import ThreadPoolExecutor

import requests


def fetch_size(url):
    try:
        return len(requests.get(url, timeout=10).text)
    except requests.RequestException:
        return None


def fetch_all(urls):
    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(fetch_size, urls))
