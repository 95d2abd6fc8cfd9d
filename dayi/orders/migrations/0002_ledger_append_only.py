"""The ledger is append-only, in the database itself: UPDATE and DELETE of an entry raise.

A correction is a new entry. Services never edit entries; this trigger makes sure nothing else (a shell, an
admin action, a future bug) can either. TRUNCATE, used only by test flushes, is not affected.
"""

from django.db import migrations

FORBID = """
CREATE FUNCTION orders_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger entries are append-only: % refused on entry %', TG_OP, OLD.id
        USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER ledger_entry_append_only
    BEFORE UPDATE OR DELETE ON orders_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION orders_ledger_append_only();
"""

ALLOW = """
DROP TRIGGER IF EXISTS ledger_entry_append_only ON orders_ledgerentry;
DROP FUNCTION IF EXISTS orders_ledger_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("orders", "0001_prices_orders_ledger_accounts")]

    operations = [migrations.RunSQL(FORBID, ALLOW)]
