"""The ledger is append-only, in the database itself: UPDATE and DELETE of an entry raise.

A correction is a new entry (see dayi.core.migration_ops.append_only).
"""

from django.db import migrations

from dayi.core.migration_ops import append_only


class Migration(migrations.Migration):
    dependencies = [("orders", "0001_prices_orders_ledger_accounts")]

    operations = [
        append_only(
            "orders_ledgerentry",
            function="orders_ledger_append_only",
            trigger="ledger_entry_append_only",
            what="ledger entries",
        )
    ]
