"""The voucher ledger is append-only, in the database itself: UPDATE and DELETE of an entry raise.

A correction is a new entry (release, reject). TRUNCATE, used only by test flushes, is not affected.
"""

from django.db import migrations

FORBID = """
CREATE FUNCTION vouchers_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'voucher ledger entries are append-only: % refused on entry %', TG_OP, OLD.id
        USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER voucher_ledger_entry_append_only
    BEFORE UPDATE OR DELETE ON vouchers_voucherledgerentry
    FOR EACH ROW EXECUTE FUNCTION vouchers_ledger_append_only();
"""

ALLOW = """
DROP TRIGGER IF EXISTS voucher_ledger_entry_append_only ON vouchers_voucherledgerentry;
DROP FUNCTION IF EXISTS vouchers_ledger_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("vouchers", "0001_initial")]

    operations = [migrations.RunSQL(FORBID, ALLOW)]
