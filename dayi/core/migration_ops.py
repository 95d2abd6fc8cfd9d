"""Migration operations several domains share."""

from __future__ import annotations

from django.db import migrations


def _row_trigger(table: str, *, function: str, trigger: str, body: str) -> migrations.RunSQL:
    """A BEFORE UPDATE OR DELETE row trigger on ``table`` running ``body`` (plpgsql), and its removal."""
    forbid = f"""
CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
{body}
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


def append_only(table: str, *, function: str, trigger: str, what: str) -> migrations.RunSQL:
    """A trigger that refuses UPDATE and DELETE on ``table`` (a ledger): corrections are new rows.

    Services never edit ledger rows; the trigger makes sure nothing else (a shell, an admin action, a future
    bug) can either. TRUNCATE, used only by test flushes, is not affected.
    """
    body = f"""    RAISE EXCEPTION '{what} are append-only: % refused on entry %', TG_OP, OLD.id
        USING ERRCODE = 'restrict_violation';"""
    return _row_trigger(table, function=function, trigger=trigger, body=body)


# The one switch that lets a purge through the append-only triggers of the audit log and the usage
# records: a transaction-local setting (``SET LOCAL``), set only by the demo clear (``dayi.demo.loader``)
# through ``dayi.core.audit.allow_purge``. It guards against the application, an admin action or a shell
# rewriting history by mistake, not against a database superuser, who could drop the trigger anyway.
PURGE_SETTING = "dayi.allow_purge"


def append_only_unless_purging(table: str, *, function: str, trigger: str, what: str) -> migrations.RunSQL:
    """Like ``append_only``, except that a transaction which turned ``PURGE_SETTING`` on may delete rows
    and null the references to deleted users (the demo clear removes the demo's own rows this way)."""
    body = f"""    IF current_setting('{PURGE_SETTING}', true) = 'on' THEN
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '{what} are append-only: % refused on row %', TG_OP, OLD.id
        USING ERRCODE = 'restrict_violation';"""
    return _row_trigger(table, function=function, trigger=trigger, body=body)
