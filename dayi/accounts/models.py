from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person. Every signed-in user is a customer; ``RoleGrant`` rows add scoped powers."""

    institution = models.ForeignKey(
        "network.Institution", null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    display_name = models.CharField(max_length=64, blank=True)
    phone = models.CharField(max_length=32, blank=True)

    def __str__(self) -> str:
        return self.display_name or self.username


class Role(models.TextChoices):
    PLATFORM_ADMIN = "platform_admin", _("平台管理员")
    INSTITUTION_ADMIN = "institution_admin", _("单位管理员")
    INSTRUMENT_MANAGER = "instrument_manager", _("仪器管理员")
    VOUCHER_OFFICER = "voucher_officer", _("创新券经办人")
    # Confirms (or rejects) the top-ups of the institution's research-group accounts: money enters Dayi
    # only through them, never on the word of whoever asks for it.
    FINANCE_OFFICER = "finance_officer", _("财务人员")


class RoleGrant(models.Model):
    """A role held over one scope: a platform (and its subtree), an institution, or a voucher scheme."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grants")
    role = models.CharField(max_length=32, choices=Role.choices)
    platform = models.ForeignKey(
        "network.Platform", null=True, blank=True, on_delete=models.CASCADE, related_name="grants"
    )
    institution = models.ForeignKey(
        "network.Institution", null=True, blank=True, on_delete=models.CASCADE, related_name="grants"
    )
    # The voucher scheme's code; the vouchers domain owns the schemes.
    scheme = models.CharField(max_length=32, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # Each role names exactly the scope it needs.
            models.CheckConstraint(
                name="rolegrant_scope_matches_role",
                condition=(
                    Q(role="platform_admin", platform__isnull=False, institution__isnull=True, scheme="")
                    | Q(
                        role__in=["institution_admin", "instrument_manager", "finance_officer"],
                        institution__isnull=False,
                        platform__isnull=True,
                        scheme="",
                    )
                    | (
                        Q(role="voucher_officer", platform__isnull=True, institution__isnull=True)
                        & ~Q(scheme="")
                    )
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "role", "platform", "institution", "scheme"],
                nulls_distinct=False,
                name="rolegrant_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.role}"

    def as_dict(self) -> dict[str, object]:
        data: dict[str, object] = {"role": self.role}
        if self.platform is not None:
            data["platform"] = self.platform.code
        if self.institution_id:
            data["institution"] = self.institution_id
        if self.scheme:
            data["scheme"] = self.scheme
        return data


class ApiToken(models.Model):
    """A bearer token. Only its SHA-256 is stored; the token itself is shown once, when issued."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)  # first characters, to tell tokens apart in lists
    name = models.CharField(max_length=64, blank=True)
    created = models.DateTimeField()
    expires = models.DateTimeField()
    last_used = models.DateTimeField(null=True, blank=True)
    revoked = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user_id})"


class LoginFailure(models.Model):
    """A failed sign-in, counted per username and per address to throttle guessing."""

    username = models.CharField(max_length=150, db_index=True)
    address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.username} {self.at:%Y-%m-%d %H:%M}"


class Invitation(models.Model):
    """An institution asks a person, by e-mail, to join it: the link carries a signed token naming this row;
    accepting it (once, before ``expires``) creates the user, who sets a password, in ``institution``."""

    email = models.EmailField()
    institution = models.ForeignKey(
        "network.Institution", on_delete=models.CASCADE, related_name="invitations"
    )
    display_name = models.CharField(max_length=64, blank=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField()
    expires = models.DateTimeField()
    accepted = models.DateTimeField(null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Withdrawn by an admin, or replaced by a newer invitation to the same address.
    revoked = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(accepted__isnull=True) | Q(revoked__isnull=True),
                name="invitation_accepted_or_revoked",
            ),
        ]
        indexes = [models.Index(fields=["institution", "email"], name="invitation_inst_email_idx")]

    def __str__(self) -> str:
        return f"{self.email} → {self.institution_id}"
