"""Scenarios for gevent-crawler; they run in the child, next to the student's module, and only observe.

probe.HttpWatch counts the student's connections to the test's HTTP server (which OS thread and
which greenlet opened each) and tells the server when every greenlet waits, so that the server can
answer one response at a time (api.HeldHttpServer). It also hands back the student's
monkey.patch_* calls, with what had been imported before each.
"""


def fetch_all(module, probe, urls, port):
    with probe.HttpWatch(port) as watch:
        return watch.call(module.fetch_all, list(urls))
