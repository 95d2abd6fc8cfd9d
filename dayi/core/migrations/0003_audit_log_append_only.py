"""The audit log is append-only in the database itself: UPDATE and DELETE of a row raise (issue 11, hole 6).

Nothing in Dayi edits an audit row; the trigger makes sure nothing can (a shell, an admin action, a future
bug). The one exception is the demo clear, which turns on the transaction-local ``dayi.allow_purge``
(``dayi.core.audit.allow_purge``) to remove its own rows and null the actor of the demo users it deletes.
"""

from django.db import migrations

from dayi.core.migration_ops import append_only_unless_purging


class Migration(migrations.Migration):
    dependencies = [("core", "0002_postgres_extensions")]

    operations = [
        append_only_unless_purging(
            "core_auditevent",
            function="core_audit_append_only",
            trigger="audit_event_append_only",
            what="audit events",
        )
    ]
