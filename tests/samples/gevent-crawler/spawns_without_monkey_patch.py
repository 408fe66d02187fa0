import gevent
import requests


def fetch_size(url):
    try:
        return len(requests.get(url, timeout=10).text)
    except requests.RequestException:
        return None


def fetch_all(urls):
    jobs = [gevent.spawn(fetch_size, u) for u in urls]  # each blocks the whole thread: nothing patched
    gevent.joinall(jobs)
    return [job.value for job in jobs]
