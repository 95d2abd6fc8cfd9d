"""Jobs of the stats domain, run by procrastinate's worker (``dayi worker``).

``stats.refresh`` (every 10 minutes): rebuild the aggregates of the years that records written since the
last refresh count in (a correction of last year's usage rebuilds from last year). With no refresh yet,
everything is built.
"""

from __future__ import annotations

import logging

from procrastinate.contrib.django import app

from dayi.booking.tasks import PERIODIC_QUEUE, tick_time
from dayi.stats import queries

logger = logging.getLogger(__name__)


def refresh_due(now_timestamp: int) -> bool:
    """Refresh what changed since the last run began; True when a refresh ran."""
    now = tick_time(now_timestamp)
    last = queries.last_refresh()
    if last is None:
        queries.refresh(now=now)
        return True
    since = queries.changed_since(last.started)
    if since is None and last.last_month >= queries._local_month(now):
        return False
    queries.refresh(since=since or last.last_month, now=now)
    return True


@app.periodic(cron="*/10 * * * *", periodic_id="stats_refresh")
@app.task(name="stats.refresh", queue=PERIODIC_QUEUE, queueing_lock="stats.refresh")
def refresh(timestamp: int) -> bool:
    ran = refresh_due(timestamp)
    if ran:
        logger.info("refreshed the utilisation aggregates")
    return ran
