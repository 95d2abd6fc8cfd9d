"""Error codes of the evaluation domain (raised as the core error classes with these codes/rules)."""

from django.utils.translation import gettext

from dayi.core.errors import Conflict, RuleViolation

# 422 rule_violation, rule "nothing_to_evaluate": no member institution of the platform's subtree holds an
# instrument that is not retired.
NOTHING_TO_EVALUATE = "nothing_to_evaluate"
# 409: the statistics domain (dayi.stats) that provides the utilisation figures is not installed.
FIGURES_UNAVAILABLE = "figures_unavailable"


def nothing_to_evaluate() -> RuleViolation:
    return RuleViolation(
        NOTHING_TO_EVALUATE,
        gettext("该平台及下级平台没有持有仪器的成员单位"),
    )


def figures_unavailable() -> Conflict:
    return Conflict(gettext("统计模块尚未提供机时数据"), code=FIGURES_UNAVAILABLE)
