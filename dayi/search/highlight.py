"""Show why a result matched: the query's words marked in a field's text."""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from dayi.search.segment import words


def highlight(text: str, query: str | None) -> SafeString:
    """``text`` as safe HTML with each query word (and its segmented parts) wrapped in <mark>."""
    safe = escape(text or "")
    if not query or not text:
        return mark_safe(safe)  # noqa: S308 - escaped above
    terms = {t for t in (query.split() + words(query).split()) if len(t) >= 1}
    terms = {escape(t) for t in terms if t.strip()}
    if not terms:
        return mark_safe(safe)  # noqa: S308 - escaped above
    pattern = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)), re.IGNORECASE)
    return mark_safe(pattern.sub(lambda m: f"<mark>{m.group(0)}</mark>", safe))  # noqa: S308 - escaped above
