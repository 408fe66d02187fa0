"""Limits on failed sign-ins, in WINDOW seconds (Django's cache).

A lab behind one NAT shares one address, so one student's wrong passwords must not lock out the room:
passwords are limited per (address, user name), ATTEMPTS failures, plus a generous cap per address,
ADDRESS_ATTEMPTS failures; a successful sign-in does not count. Sign-in links: only invalid tokens
count, LINK_ATTEMPTS per address; a valid link (24 random bytes, unguessable) always works.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache

ATTEMPTS = 10  # wrong passwords for one user name from one address
ADDRESS_ATTEMPTS = 200  # wrong passwords from one address, whatever the user names
LINK_ATTEMPTS = 30  # invalid sign-in links from one address
WINDOW = 300


def _address(request) -> str:
    return request.META.get("REMOTE_ADDR") or "?"


def _user_key(request, username: str) -> str:
    name = hashlib.sha256(username.strip().casefold().encode()).hexdigest()[:32]  # a safe cache key
    return f"sign-in:{_address(request)}:{name}"


def _address_key(request) -> str:
    return "sign-in:" + _address(request)


def _link_key(request) -> str:
    return "sign-in-link:" + _address(request)


def _over(key: str, limit: int) -> bool:
    return (cache.get(key) or 0) >= limit


def _count(key: str) -> None:
    cache.add(key, 0, WINDOW)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, WINDOW)


def password_throttled(request, username: str) -> bool:
    """Too many wrong passwords for this user name from this address, or from this address at all."""
    return _over(_user_key(request, username), ATTEMPTS) or _over(_address_key(request), ADDRESS_ATTEMPTS)


def password_failed(request, username: str) -> None:
    _count(_user_key(request, username))
    _count(_address_key(request))


def link_throttled(request) -> bool:
    """Too many invalid sign-in links from this address (asked only of a link that is not valid)."""
    return _over(_link_key(request), LINK_ATTEMPTS)


def link_failed(request) -> None:
    _count(_link_key(request))
