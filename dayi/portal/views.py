"""The public portal: thin page views over the directory's query functions (no second search)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from dayi.core.errors import DayiError
from dayi.directory import queries, services
from dayi.network import queries as network_queries
from dayi.network.models import Institution, Platform
from dayi.network.queries import institutions as institution_list
from dayi.portal import figures, results
from dayi.ratings.queries import rating_summary

PAGE_SIZE = 20


def home(request: HttpRequest) -> HttpResponse:
    site = settings.DAYI_SITE_PLATFORM or None
    platform = Platform.objects.filter(code=site).first() if site else None
    figs = figures.headline(platform=site)
    recent = queries.search(queries.InstrumentFilters(platform=site)).order_by("-created", "-id")[:8]
    context = {
        "platform": platform,
        "figures": figs,
        "classes": figures.classes_with_counts(figs["by_category"]),
        "provinces": figures.provinces_with_counts(figs["by_region"]),
        "recent": recent,
    }
    return render(request, "portal/home.html", context)


def instrument_list(request: HttpRequest) -> HttpResponse:
    f, errors = results.filters_from_query(request.GET)
    context: dict[str, Any] = {"f": f, "errors": errors, "sorts": results.sort_choices()}
    status = 200
    if not errors:
        try:
            context.update(results.page_context(f, request.GET.get("page")))
        except DayiError as exc:
            context["errors"] = results.error_messages(exc)
            status = exc.status
    else:
        status = 422
    context.setdefault("active", results.active_filters(f) if not context["errors"] else [])
    template = "portal/instrument_list.html"
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "results":
        template = "portal/_results.html"  # htmx swaps only the results; links still work without it
    return render(request, template, context, status=status)


def instrument_detail(request: HttpRequest, instrument_id: int) -> HttpResponse:
    instrument = services.get_instrument(instrument_id)
    context = {
        "i": instrument,
        "category_path": figures.category_path(instrument.category_id),
        "region_path": figures.region_path(instrument.region_id),
        "map": figures.map_points(instrument.region),
        "similar": figures.similar_nearby(instrument),
        "ratings": rating_summary(instrument.pk),
    }
    return render(request, "portal/instrument_detail.html", context)


def institution_detail(request: HttpRequest, institution_id: int) -> HttpResponse:
    institution = get_object_or_404(Institution.objects.select_related("region"), pk=institution_id)
    f = queries.InstrumentFilters(institution=institution.pk)
    context = {
        "institution": institution,
        "region_path": figures.region_path(institution.region_id),
        "figures": figures.institution_figures(institution),
        "platforms": network_queries.platforms_of(institution),
        "instruments": queries.search(f).order_by("-original_value", "id")[:PAGE_SIZE],
        "chart_filter": f"&institution={institution.pk}",
    }
    return render(request, "portal/institution_detail.html", context)


def platform_detail(request: HttpRequest, code: str) -> HttpResponse:
    platform = get_object_or_404(Platform.objects.select_related("parent"), code=code)
    members = institution_list(platform=platform)
    figs = figures.headline(platform=platform.code)
    context = {
        "platform": platform,
        "figures": figs,
        "charts": figures.chart_data(figs["by_category"], figs["by_region"]),
        "chart_filter": f"&platform={platform.code}",
        "children": platform.children.order_by("name"),
        "members": members[:100],
        "member_count": members.count(),
        "instruments": queries.search(queries.InstrumentFilters(platform=platform.code)).order_by(
            "-original_value", "id"
        )[:PAGE_SIZE],
    }
    return render(request, "portal/platform_detail.html", context)


def expert_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    site = settings.DAYI_SITE_PLATFORM or None
    page = Paginator(figures.experts(q=q, platform=site), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "portal/expert_list.html", {"q": q, "page": page})
