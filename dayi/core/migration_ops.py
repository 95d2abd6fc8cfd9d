"""Migration operations several domains share."""

from __future__ import annotations

from django.db import migrations


def append_only(table: str, *, function: str, trigger: str, what: str) -> migrations.RunSQL:
    """A trigger that refuses UPDATE and DELETE on ``table`` (a ledger): corrections are new rows.

    Services never edit ledger rows; the trigger makes sure nothing else (a shell, an admin action, a future
    bug) can either. TRUNCATE, used only by test flushes, is not affected.
    """
    forbid = f"""
CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{what} are append-only: % refused on entry %', TG_OP, OLD.id
        USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER {trigger}
    BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {function}();
"""
    allow = f"""
DROP TRIGGER IF EXISTS {trigger} ON {table};
DROP FUNCTION IF EXISTS {function}();
"""
    return migrations.RunSQL(forbid, allow)
