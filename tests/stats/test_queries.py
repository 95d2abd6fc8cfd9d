"""Each figure on hand-made data (tests/stats/conftest.py), at the instrument, institution and network
levels; stored levels equal the same levels computed live; additive figures sum, distinct counts do not."""

from __future__ import annotations

import datetime as dt
from dataclasses import fields
from decimal import Decimal
from typing import Any

from dayi.stats import queries
from dayi.stats.models import InstrumentPeriod
from dayi.stats.queries import Figures, Scope
from tests.stats.conftest import REFRESH_NOW, at, use

MARCH = dt.date(2025, 3, 1)
# Figures that are sums of their parts at every level (the distinct counts and the average are not).
ADDITIVE = [
    "instruments",
    "original_value",
    "available_hours",
    "booked_hours",
    "effective_hours",
    "external_hours",
    "samples",
    "income_internal",
    "income_external",
    "ratings",
    "bookings",
    "no_shows",
]


def month_row(instrument: Any, month: dt.date = MARCH) -> InstrumentPeriod:
    return InstrumentPeriod.objects.get(instrument_id=instrument.pk, kind="month", start=month)


def test_an_instruments_month_counts_each_figure(refreshed: Any) -> None:
    # Given the March world, refreshed; when the TEM's March row is read
    row = queries.figures_from(month_row(refreshed["tem"]).__dict__)
    # Then each figure is the hand-computed one
    assert row.available_hours == Decimal("160.00")  # 21 weekdays × 8 h − the closed Monday
    assert row.effective_hours == Decimal("6.50")  # the superseded 10 h left out
    assert row.external_hours == Decimal("3.50")  # cu 2 h + bob 1.5 h
    assert row.booked_hours == Decimal("3.00")  # confirmed 2 h + no-show 1 h; cancelled left out
    assert (row.bookings, row.no_shows, row.no_show_rate) == (2, 1, Decimal("0.5000"))
    assert row.samples == 5
    assert (row.income_internal, row.income_external) == (Decimal("150.00"), Decimal("1000.00"))
    assert (row.ratings, row.average_rating) == (2, Decimal("4.50"))
    assert (row.users, row.user_institutions, row.companies) == (3, 3, 1)
    assert row.sharing_rate == Decimal("0.5385")  # 3.5 / 6.5
    assert row.utilisation == Decimal("0.0406")  # 6.5 / 160


def test_an_instrument_without_a_policy_is_open_round_the_clock(refreshed: Any) -> None:
    row = queries.figures_from(month_row(refreshed["ms"]).__dict__)
    assert row.available_hours == Decimal("744.00")  # 31 × 24
    assert (row.effective_hours, row.external_hours) == (Decimal("5.00"), Decimal("5.00"))
    assert (row.users, row.user_institutions, row.companies) == (2, 2, 1)


def test_months_are_counted_in_the_instruments_zone(world: Any) -> None:
    # Given an hour starting at 00:30 on 1 April in Shanghai (still 31 March in UTC)
    use(world["tem"], world["eve"], at("2025-04-01", "00:30"), "1")
    # When the aggregates are refreshed
    queries.refresh(now=REFRESH_NOW)
    # Then it counts in April
    assert month_row(world["tem"], dt.date(2025, 4, 1)).effective_hours == Decimal("1.00")
    assert month_row(world["tem"]).effective_hours == Decimal("6.50")


def test_the_nation_counts_each_user_once(refreshed: Any) -> None:
    nation = queries.figures(Scope(), 2025, 3)
    assert nation.effective_hours == Decimal("11.50")
    assert nation.external_hours == Decimal("8.50")
    # eve and cu used both instruments: 3 users (not 3 + 2), 3 institutions (zju, pku, the company)
    assert (nation.users, nation.user_institutions, nation.companies) == (3, 3, 1)


def test_the_income_rate_weights_external_income(refreshed: Any) -> None:
    zju = queries.institution_figures(2025, institution_ids=[refreshed["zju"].pk])[refreshed["zju"].pk]
    assert zju.income_rate == Decimal("0.0002")  # (150 + 1.5 × 1000) / 8,500,000 = 0.000194
    assert zju.original_value == Decimal("8500000.00")


def test_institution_figures_cover_every_holder_in_one_query(
    refreshed: Any, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(1):
        found = queries.institution_figures(2025)
    assert set(found) == {refreshed["zju"].pk, refreshed["pku"].pk}
    assert found[refreshed["pku"].pk].effective_hours == Decimal("5.00")
    assert found[refreshed["zju"].pk].users == 3


def test_a_year_sums_its_months_but_counts_its_users_once(refreshed: Any) -> None:
    use(refreshed["tem"], refreshed["eve"], at("2025-05-06", "10:00"), "2")
    queries.refresh(now=REFRESH_NOW)
    year = queries.figures(Scope(institution=refreshed["zju"].pk), 2025)
    months = queries.by_month(Scope(institution=refreshed["zju"].pk), 2025)
    assert year.effective_hours == sum(f.effective_hours for _, f in months) == Decimal("8.50")
    assert sum(f.users for _, f in months) == 4 and year.users == 3  # eve in March and May


def _sum(parts: list[Figures], name: str) -> Any:
    return sum((getattr(p, name) for p in parts), start=type(getattr(parts[0], name))(0))


def test_aggregates_equal_the_sums_of_their_parts_at_every_level(refreshed: Any) -> None:
    nation = queries.figures(Scope(), 2025)
    by_institution = list(queries.institution_figures(2025).values())
    by_province = [r["figures"] for r in queries.by_region(Scope(), 2025)]
    by_class = [r["figures"] for r in queries.by_category(Scope(), 2025)]
    by_platform = [queries.figures(Scope(platform=code), 2025) for code in ("yrd", "bj")]
    for parts in (by_institution, by_province, by_class, by_platform):
        for name in ADDITIVE:
            assert _sum(parts, name) == getattr(nation, name), name
    assert nation.effective_hours == Decimal("11.50")
    assert queries.figures(Scope(platform="cn"), 2025) == nation


def test_stored_levels_equal_the_same_levels_computed_live(refreshed: Any) -> None:
    scopes = [
        Scope(),
        Scope(platform="yrd"),
        Scope(platform="g60"),
        Scope(region="330000"),
        Scope(region="330100"),
        Scope(institution=refreshed["pku"].pk),
    ]
    for scope in scopes:
        for kind, start in (("year", dt.date(2025, 1, 1)), ("month", MARCH)):
            key = scope.key()
            assert key is not None
            stored = queries._stored(key, "", kind, start, start)
            live = queries._live(scope, kind, start, start, "ip.start")
            assert stored == live, (scope, kind)
    stored_class = queries._stored("cn", "01", "year", dt.date(2025, 1, 1), dt.date(2025, 1, 1))
    live_class = queries._live(
        Scope(category="01"), "year", dt.date(2025, 1, 1), dt.date(2025, 1, 1), "ip.start"
    )
    assert stored_class == live_class


def test_a_middle_class_or_a_county_is_computed_live(refreshed: Any) -> None:
    assert Scope(region="330106").key() is None
    tem_only = queries.figures(Scope(category="0101"), 2025, 3)
    assert tem_only.effective_hours == Decimal("6.50") and tem_only.users == 3
    assert queries.figures(Scope(platform="yrd", category="0102"), 2025, 3) == Figures()


def test_top_and_bottom_instruments(refreshed: Any) -> None:
    top = queries.ranked_instruments(Scope(), 2025)
    bottom = queries.ranked_instruments(Scope(), 2025, bottom=True)
    assert [r["id"] for r in top] == [refreshed["tem"].pk, refreshed["ms"].pk]
    assert [r["id"] for r in bottom] == [refreshed["ms"].pk, refreshed["tem"].pk]


def test_a_refresh_since_a_year_keeps_earlier_years(refreshed: Any) -> None:
    use(refreshed["tem"], refreshed["eve"], at("2024-06-03", "10:00"), "7")
    queries.refresh(now=REFRESH_NOW)
    assert queries.figures(Scope(), 2024).effective_hours == Decimal("7.00")
    # A record added to 2025 only: the refresh since 2025 leaves 2024 as it was
    use(refreshed["ms"], refreshed["eve"], at("2025-07-01", "10:00"), "2")
    queries.refresh(since=dt.date(2025, 7, 1), now=REFRESH_NOW)
    assert queries.figures(Scope(), 2024).effective_hours == Decimal("7.00")
    assert queries.figures(Scope(), 2025).effective_hours == Decimal("13.50")
    assert [y for y, _ in queries.by_year(Scope())] == [2024, 2025]


def test_national_averages_are_published_for_2018_and_2025_and_estimated_between() -> None:
    assert queries.national_average(2018)["effective_hours"] == 1340
    assert queries.national_average(2025)["external_hours"] == 273
    mid = queries.national_average(2020)
    assert mid["estimated"] and 1340 < mid["effective_hours"] < 1599


def test_every_figure_field_of_the_contract_is_present() -> None:
    names = [f.name for f in fields(Figures)]
    assert names[:5] == [
        "instruments",
        "original_value",
        "available_hours",
        "booked_hours",
        "effective_hours",
    ]
    assert Figures().utilisation is None and Figures().sharing_rate is None
