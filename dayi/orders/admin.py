"""Read-only admin: money moves only through the services, so amounts and entries are not edited here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from dayi.orders.models import Account, LedgerEntry, Order, PriceRule


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PriceRule)
class PriceRuleAdmin(ReadOnly):
    list_display = (
        "instrument",
        "unit",
        "mode",
        "user_class",
        "item_name",
        "amount",
        "valid_from",
        "valid_until",
    )
    raw_id_fields = ("instrument",)


@admin.register(Order)
class OrderAdmin(ReadOnly):
    list_display = ("id", "kind", "status", "instrument", "customer", "provider", "amount", "created")
    list_filter = ("kind", "status")


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnly):
    list_display = ("id", "created", "kind", "amount", "order", "account", "actor")
    list_filter = ("kind",)


@admin.register(Account)
class AccountAdmin(ReadOnly):
    list_display = ("id", "name", "institution", "pi", "balance")
