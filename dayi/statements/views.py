"""The statements pages: pick a customer and a month, then read, download (CSV) or print (PDF) it.

Thin views over ``dayi.statements.queries``: the page and the API call the same ``visible_statement``, so
what one refuses (404) the other refuses too.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from dayi.accounts.access import actor_for
from dayi.core.errors import NotFound, ValidationFailed
from dayi.statements import queries
from dayi.statements.api import statement_response


@require_GET
@login_required
def pick(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    kind, subject, month = (request.GET.get(k, "") for k in ("kind", "id", "month"))
    if kind in queries.KINDS and subject.isdigit() and month:
        return redirect("statements:show", kind=kind, subject_id=int(subject), period=month)
    default = timezone.localtime(timezone.now(), queries.SHANGHAI).strftime("%Y-%m")
    return render(
        request, "statements/pick.html", {"customers": queries.customers_for(actor), "month": default}
    )


@require_GET
@login_required
def show(request: HttpRequest, kind: str, subject_id: int, period: str) -> HttpResponseBase:
    actor = actor_for(request.user)
    try:
        year, month = queries.parse_month(period)
        s = queries.visible_statement(actor, kind, subject_id, year, month)
    except (NotFound, ValidationFailed):
        raise Http404 from None
    file_format = request.GET.get("format", "html")
    if file_format in ("csv", "pdf"):
        return statement_response(s, file_format)
    return render(request, "statements/show.html", {"s": s})
