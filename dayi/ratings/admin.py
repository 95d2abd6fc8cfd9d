"""Read-only admin: ratings and replies change only through the services (one rating per order)."""

from __future__ import annotations

from django.contrib import admin

from dayi.orders.admin import ReadOnly
from dayi.ratings.models import Rating


@admin.register(Rating)
class RatingAdmin(ReadOnly):
    list_display = ("order", "level", "created", "replied_at")
    list_filter = ("level",)
    raw_id_fields = ("order", "replied_by")
