"""Read-only admin: demands and offers change only through the services (accepting makes an order)."""

from __future__ import annotations

from django.contrib import admin

from dayi.demands.models import Demand, DemandQuote
from dayi.orders.admin import ReadOnly


@admin.register(Demand)
class DemandAdmin(ReadOnly):
    list_display = ("title", "company", "status", "is_public", "deadline", "created")
    list_filter = ("status", "is_public")
    search_fields = ("title",)
    raw_id_fields = ("company", "posted_by", "category", "region", "order", "suggested")


@admin.register(DemandQuote)
class DemandQuoteAdmin(ReadOnly):
    list_display = ("demand", "provider", "instrument", "amount", "status", "created")
    list_filter = ("status",)
    raw_id_fields = ("demand", "provider", "instrument", "quoted_by")
