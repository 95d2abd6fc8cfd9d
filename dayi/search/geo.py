"""Near me: the distance from a region's centre, computed in SQL on the instruments' region coordinates.

Coordinates are city centres in GCJ-02 (the Chinese map datum). Over the few hundred kilometres that matter
for "nearest", its offset from WGS-84 (a few hundred metres) is irrelevant, so a great-circle distance on
GCJ-02 degrees is good enough. A county without coordinates takes its city's, a city its province's.
"""

from __future__ import annotations

import math
from typing import Any

from django.db.models import F, FloatField, Value
from django.db.models.functions import ASin, Coalesce, Cos, Least, Power, Radians, Sin, Sqrt
from django.utils.translation import gettext

from dayi.core.errors import ValidationFailed
from dayi.network.models import Region

EARTH_RADIUS_KM = 6371.0


def centre(code: str) -> tuple[float, float]:
    """(lat, lon) of the region ``code``, or of the nearest ancestor that has coordinates."""
    region = Region.objects.select_related("parent__parent").filter(code=code).first()
    if region is None:
        raise ValidationFailed(fields={"near": [gettext("没有行政区划 %(code)s") % {"code": code}]})
    chain = [region, region.parent, region.parent.parent if region.parent else None]
    for r in chain:
        if r is not None and r.lat is not None and r.lon is not None:
            return r.lat, r.lon
    raise ValidationFailed(fields={"near": [gettext("行政区划 %(code)s 没有坐标") % {"code": code}]})


def _coordinate(name: str) -> Any:
    return Coalesce(F(f"region__{name}"), F(f"region__parent__{name}"), F(f"region__parent__parent__{name}"))


def distance_km(code: str) -> Any:
    """The great-circle distance (km) from the centre of ``code`` to each instrument's region (haversine)."""
    lat0, lon0 = centre(code)
    rlat0, rlon0 = math.radians(lat0), math.radians(lon0)
    lat, lon = Radians(_coordinate("lat")), Radians(_coordinate("lon"))
    half_dlat = Sin((lat - Value(rlat0)) / Value(2.0))
    half_dlon = Sin((lon - Value(rlon0)) / Value(2.0))
    a = Power(half_dlat, 2) + Cos(lat) * Value(math.cos(rlat0)) * Power(half_dlon, 2)
    # Least: rounding can push sqrt(a) a hair above 1 for antipodes, and asin would fail.
    return Value(2 * EARTH_RADIUS_KM) * ASin(Least(Sqrt(a), Value(1.0)), output_field=FloatField())
