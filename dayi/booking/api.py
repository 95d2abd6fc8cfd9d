"""/api/v1/bookings and the booking endpoints of instruments."""

from ninja import Router

router = Router(tags=["booking"])
