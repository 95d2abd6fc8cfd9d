"""A demo round of the yearly evaluation: the national platform grades every demo holder for last year,
so the evaluation pages show results, and some institutions are excellent.

The generated data has no income and no ratings, so under the default thresholds nearly every holder
would be poor; the round therefore grades by quotas, as the 2021–2024 national rounds did (15% excellent,
30% good, 2% poor), with the default indicators and weights. It is published, as a finished round is.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from dayi.accounts.access import actor_for
from dayi.accounts.models import User
from dayi.evaluation import queries, services
from dayi.evaluation.models import Evaluation

PLATFORM = "cn"
ADMIN = "cn-admin"


def load(*, now: dt.datetime) -> Evaluation:
    """Configure, run and publish the national round of last year; return it."""
    actor = actor_for(User.objects.get(username=ADMIN))
    year = timezone.localtime(now).year - 1
    config = queries.default_for(year)
    config["grading"] = {**config["grading"], "method": "quotas"}
    services.save_config(actor, PLATFORM, year, config, now=now)
    evaluation = services.run_evaluation(actor, PLATFORM, year, now=now)
    return services.publish_evaluation(actor, evaluation.pk, now=now)
