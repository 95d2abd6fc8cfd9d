"""The voucher ledger is append-only, in the database itself: UPDATE and DELETE of an entry raise.

A correction is a new entry: release, reject (see dayi.core.migration_ops.append_only).
"""

from django.db import migrations

from dayi.core.migration_ops import append_only


class Migration(migrations.Migration):
    dependencies = [("vouchers", "0001_initial")]

    operations = [
        append_only(
            "vouchers_voucherledgerentry",
            function="vouchers_ledger_append_only",
            trigger="voucher_ledger_entry_append_only",
            what="voucher ledger entries",
        )
    ]
