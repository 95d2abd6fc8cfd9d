"""Marks on the demo data, so that loading it again replaces it and never touches anything else.

Only the roots are marked: platforms, institutions and users. Everything else the demo writes hangs off
them (instruments and experts of demo institutions, memberships, role grants) and goes with them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class DemoLoad(models.Model):
    """One load of the demo data: what was asked for and the digest of what was written."""

    seed = models.BigIntegerField()
    instruments = models.PositiveIntegerField()  # the number asked for (and written)
    loaded = models.DateTimeField()
    # md5 over the loaded rows by natural keys (loader.digest), when asked for: blank otherwise.
    digest = models.CharField(max_length=32, blank=True)
    seconds = models.FloatField(default=0)

    class Meta:
        ordering = ["-loaded"]

    def __str__(self) -> str:
        return f"demo seed={self.seed} instruments={self.instruments}"


class DemoPlatform(models.Model):
    platform = models.OneToOneField(
        "network.Platform", primary_key=True, on_delete=models.CASCADE, related_name="demo_mark"
    )

    def __str__(self) -> str:
        return str(self.platform_id)


class DemoInstitution(models.Model):
    institution = models.OneToOneField(
        "network.Institution", primary_key=True, on_delete=models.CASCADE, related_name="demo_mark"
    )

    def __str__(self) -> str:
        return str(self.institution_id)


class DemoUser(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="demo_mark"
    )

    def __str__(self) -> str:
        return str(self.user_id)
