"""The rating form (/orders/<id>/rate/) and the holder's reply. Thin: every write is a service call."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from dayi.accounts.access import actor_for
from dayi.accounts.access.orders import access_order
from dayi.core.errors import DayiError
from dayi.ratings import services
from dayi.ratings.models import Level, Rating


def _form(request: HttpRequest, order_id: int, *, error: str = "", status: int = 200) -> HttpResponse:
    order = access_order(actor_for(request.user), order_id)
    context = {
        "order": order,
        "levels": Level.choices,
        "rating": Rating.objects.filter(order=order).first(),
        "chosen": request.POST.get("level", ""),
        "comment": request.POST.get("comment", ""),
        "error": error,
    }
    return render(request, "ratings/rate.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def rate(request: HttpRequest, order_id: int) -> HttpResponse:
    if request.method == "GET":
        return _form(request, order_id)
    try:
        level = int(request.POST.get("level", ""))
    except ValueError:
        level = 0
    try:
        services.rate_order(
            actor_for(request.user),
            order_id,
            level=level,
            comment=request.POST.get("comment", ""),
            now=timezone.now(),
        )
    except DayiError as exc:
        return _form(request, order_id, error=exc.message, status=exc.status)
    messages.success(request, _("感谢评价"))
    return redirect("portal:instrument", Rating.objects.get(order_id=order_id).order.instrument_id)


@login_required
@require_POST
def reply(request: HttpRequest, rating_id: int) -> HttpResponse:
    rating = services.reply_to_rating(
        actor_for(request.user), rating_id, reply=request.POST.get("reply", ""), now=timezone.now()
    )
    messages.success(request, _("已回复评价"))
    return redirect("portal:instrument", rating.order.instrument_id)
