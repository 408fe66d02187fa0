"""Sign-in attempts per client address: at most ATTEMPTS in WINDOW seconds (Django's cache)."""

from __future__ import annotations

from django.core.cache import cache

ATTEMPTS = 10
WINDOW = 300


def sign_in_throttled(request, count: bool = True) -> bool:
    key = "sign-in:" + (request.META.get("REMOTE_ADDR") or "?")
    if not count:
        return (cache.get(key) or 0) >= ATTEMPTS
    cache.add(key, 0, WINDOW)
    try:
        tries = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, WINDOW)
        tries = 1
    return tries > ATTEMPTS
