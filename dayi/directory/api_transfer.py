"""/api/v1/instruments/import and /export."""

from ninja import Router

router = Router(tags=["directory"])
