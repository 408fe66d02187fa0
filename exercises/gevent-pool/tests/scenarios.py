"""Scenarios for gevent-pool; they run in the child, next to the student's module, and only observe.

probe.HttpWatch counts the student's connections to the test's HTTP server (which OS thread and
which greenlet opened each) and tells the server when every greenlet waits, so that the server can
answer one response at a time (api.HeldHttpServer).
"""


def fetch_limited(module, probe, urls, limit, port):
    with probe.HttpWatch(port) as watch:
        return watch.call(module.fetch_limited, list(urls), limit)
