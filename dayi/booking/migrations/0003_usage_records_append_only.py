"""Usage records are append-only in the database itself (issue 11, hole 6).

A correction is a new record that ``supersedes`` the old one. The trigger refuses every UPDATE and DELETE
except exactly these, each of which can happen once and never be undone:

- ``superseded`` false → true, nothing else changed: the correction's own transaction flags the record it
  replaces, so statistics and charges (``WHERE NOT superseded``, served by a partial index) skip it
  without a join. Who replaced it, and why, is the new record (and its audit row).
- the confirmation: ``confirmed`` false → true with ``confirmed_by`` and ``confirmed_at`` going from NULL
  to a value, nothing else changed (``confirm_usage``: a manager vouches for self-reported hours).

Times, hours, user, source and reason can never change. DELETE, and any UPDATE, pass only in a transaction
that turned on ``dayi.allow_purge`` (the demo clear removing its own generated records; see
``dayi.core.migration_ops.PURGE_SETTING``).
"""

from django.db import migrations

from dayi.core.migration_ops import PURGE_SETTING

FORBID = f"""
CREATE FUNCTION booking_usage_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    flags CONSTANT text[] := ARRAY['superseded', 'confirmed', 'confirmed_by_id', 'confirmed_at'];
BEGIN
    IF current_setting('{PURGE_SETTING}', true) = 'on' THEN
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE' AND (to_jsonb(NEW) - flags) = (to_jsonb(OLD) - flags)
       -- superseded: unchanged, or false -> true
       AND (NEW.superseded = OLD.superseded OR (NOT OLD.superseded AND NEW.superseded))
       -- the confirmation: unchanged, or set once from nothing to all three
       AND ((NEW.confirmed, NEW.confirmed_by_id, NEW.confirmed_at)
                IS NOT DISTINCT FROM (OLD.confirmed, OLD.confirmed_by_id, OLD.confirmed_at)
            OR (NOT OLD.confirmed AND OLD.confirmed_by_id IS NULL AND OLD.confirmed_at IS NULL
                AND NEW.confirmed AND NEW.confirmed_by_id IS NOT NULL AND NEW.confirmed_at IS NOT NULL))
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'usage records are append-only: % refused on record %', TG_OP, OLD.id
        USING ERRCODE = 'restrict_violation',
              HINT = 'a correction is a new record that supersedes this one';
END
$$;
CREATE TRIGGER usage_record_append_only
    BEFORE UPDATE OR DELETE ON booking_usagerecord
    FOR EACH ROW EXECUTE FUNCTION booking_usage_append_only();
"""

ALLOW = """
DROP TRIGGER IF EXISTS usage_record_append_only ON booking_usagerecord;
DROP FUNCTION IF EXISTS booking_usage_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("booking", "0002_usage_source_confirmation_expiry"),
        ("core", "0003_audit_log_append_only"),
    ]

    operations = [migrations.RunSQL(FORBID, ALLOW)]
