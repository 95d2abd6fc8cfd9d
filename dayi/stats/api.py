"""/api/v1 for the stats domain (issue 7). Thin: parse, call a service or a query, serialise."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["stats"])
