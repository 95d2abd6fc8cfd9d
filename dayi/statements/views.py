"""The statements pages: pick a customer and a month, then read, download (CSV) or print (PDF) it.

Thin views over ``dayi.statements.queries``: the page and the API call the same ``visible_statement``, so
what one refuses (404) the other refuses too.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from dayi.accounts.access import actor_for
from dayi.accounts.access.money import service_record_institution_ids
from dayi.core.errors import DayiError, NotFound, ValidationFailed
from dayi.core.pages import PageForm, set_choices
from dayi.network.models import Institution
from dayi.statements import queries, records
from dayi.statements.api import service_records_file, statement_response


@require_GET
@login_required
def pick(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    kind, subject, month = (request.GET.get(k, "") for k in ("kind", "id", "month"))
    if not (kind and subject):  # without JavaScript the form sends only the choice, "kind:id"
        kind, _colon, subject = request.GET.get("choice", "").partition(":")
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


# --- the national service records, exported from a page --------------------------------------------------


class RecordsForm(PageForm):
    institution = forms.TypedChoiceField(label=gettext_lazy("服务单位"), coerce=int)
    start = forms.DateField(
        label=gettext_lazy("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=gettext_lazy("结束日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    format = forms.ChoiceField(
        label=gettext_lazy("文件格式"), choices=[("xlsx", "Excel (XLSX)"), ("csv", "CSV")], initial="xlsx"
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("结束日期不能早于起始日期。"))
        return data


def _record_institutions(actor: Any) -> list[tuple[int, str]]:
    ids = service_record_institution_ids(actor)
    rows = Institution.objects.all() if ids is None else Institution.objects.filter(pk__in=ids)
    return list(rows.order_by("name").values_list("pk", "name")[:500])


@require_GET
@login_required
def service_records(request: HttpRequest) -> HttpResponseBase:
    """The national service records of a provider (the fields the national reporting form asks for), as
    GET /api/v1/service-records gives them: pick the institution and the period, download the file."""
    actor = actor_for(request.user)
    choices = _record_institutions(actor)
    if not choices:
        raise NotFound(_("页面不存在。"))
    if "institution" not in request.GET:
        form = RecordsForm()
        set_choices(form, "institution", choices)
        return render(request, "statements/service_records.html", {"form": form})
    form = RecordsForm(request.GET)
    set_choices(form, "institution", choices)
    if not form.is_valid():
        context = {"form": form, "error": _("请检查导出条件。")}
        return render(request, "statements/service_records.html", context, status=422)
    data = form.cleaned_data
    try:
        qs = records.service_orders(actor, data["institution"], data["start"], data["end"])
    except DayiError as exc:
        form.add_service_error(exc)
        context = {"form": form, "error": exc.message}
        return render(request, "statements/service_records.html", context, status=exc.status)
    return service_records_file(qs, data["institution"], data["format"])
