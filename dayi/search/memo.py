"""Values worth reading once per HTTP request, not once per query: the synonym table's version and
whether a query's words match anything (a search asks both for its page, its count and its facets).

The memo lives from Django's ``request_started`` to ``request_finished`` in the request's thread; outside
a request (scripts, the shell, tests calling queries directly) nothing is remembered.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")
_local = threading.local()


def start(**_: Any) -> None:
    _local.values = {}


def finish(**_: Any) -> None:
    _local.values = None


def forget() -> None:
    """Drop what this request remembered (after a write that changes it, e.g. a synonym edit)."""
    if getattr(_local, "values", None) is not None:
        _local.values = {}


def remember(key: Hashable, compute: Callable[[], T]) -> T:
    values: dict[Hashable, Any] | None = getattr(_local, "values", None)
    if values is None:
        return compute()
    if key not in values:
        values[key] = compute()
    return values[key]
