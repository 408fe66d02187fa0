"""A Person beside each user: role, language, the roster's id, one-time sign-in link, API token.

Tokens are kept as SHA-256 digests only: a copied database signs no one in.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

SIGN_IN_LINK_DAYS = 30


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Person(models.Model):
    class Role(models.TextChoices):
        STUDENT = "student"
        TEACHER = "teacher"

    class Lang(models.TextChoices):
        EN = "en", "English"
        ZH = "zh", "简体中文"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="person")
    role = models.CharField(max_length=8, choices=Role.choices, default=Role.STUDENT)
    lang = models.CharField(max_length=2, choices=Lang.choices, default=Lang.EN)
    display_name = models.CharField(max_length=200, blank=True)
    roster_id = models.CharField(max_length=100, blank=True, help_text="the LMS's id (student number or email)")
    sign_in_digest = models.CharField(max_length=64, blank=True, db_index=True)
    sign_in_expires = models.DateTimeField(null=True, blank=True)
    api_token_digest = models.CharField(max_length=64, blank=True, db_index=True)
    # When the queue last began grading one of theirs: round-robin serves the longest-waiting first.
    last_served_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.display_name or self.user.get_username()

    @property
    def is_teacher(self) -> bool:
        return self.role == self.Role.TEACHER

    @property
    def name(self) -> str:
        return self.display_name or self.user.get_username()

    def new_sign_in_token(self) -> str:
        """A one-time sign-in token (the link's last part); the previous one stops working."""
        token = secrets.token_urlsafe(24)
        self.sign_in_digest = digest(token)
        self.sign_in_expires = timezone.now() + timedelta(days=SIGN_IN_LINK_DAYS)
        self.save(update_fields=["sign_in_digest", "sign_in_expires"])
        return token

    def new_api_token(self) -> str:
        """A token for `grader submit`; the previous one stops working."""
        token = "gr_" + secrets.token_urlsafe(30)
        self.api_token_digest = digest(token)
        self.save(update_fields=["api_token_digest"])
        return token

    @classmethod
    def by_sign_in_token(cls, token: str) -> Person | None:
        person = cls.objects.select_related("user").filter(sign_in_digest=digest(token)).first()
        if person is None or person.sign_in_expires is None or person.sign_in_expires < timezone.now():
            return None
        return person

    @classmethod
    def by_api_token(cls, token: str) -> Person | None:
        if not token:
            return None
        return cls.objects.select_related("user").filter(api_token_digest=digest(token), user__is_active=True).first()
