"""Jobs of the voucher domain, run by procrastinate's worker (``dayi worker``) from PostgreSQL.

``vouchers.expire``: daily at 00:20 Beijing time (16:20 UTC), active vouchers past their use-by date expire
and their unspent balances return to their schemes' budgets (a release entry each).
"""

from __future__ import annotations

import logging

from procrastinate.contrib.django import app

from dayi.accounts.access import system_actor
from dayi.booking.tasks import PERIODIC_QUEUE, tick_time
from dayi.vouchers import services

logger = logging.getLogger(__name__)


@app.periodic(cron="20 16 * * *", periodic_id="vouchers_expire")
@app.task(name="vouchers.expire", queue=PERIODIC_QUEUE, queueing_lock="vouchers.expire")
def expire(timestamp: int) -> int:
    expired = services.expire_vouchers(system_actor(), now=tick_time(timestamp))
    if expired:
        logger.info("expired %d vouchers", expired)
    return expired
