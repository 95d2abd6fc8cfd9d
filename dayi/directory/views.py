"""The instrument managers' pages under /manage/: list, create, edit, retire and import instruments.

Thin views: a form parses the request, a service in ``dayi.directory.services`` (or the import service)
checks permissions and rules and writes with its audit row, and a ``DayiError`` it raises is shown beside
the form or on the message page (``dayi.core.pages``), with its status. A view never saves a model itself.
"""

from __future__ import annotations

import secrets
import tempfile
import time
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from dayi.accounts.access import Actor, actor_for, operated_institution_ids
from dayi.accounts.access.directory import (
    access_expert,
    access_instrument,
    managed_experts,
    may_name_experts_without_institution,
    operated_instruments,
)
from dayi.core.errors import DayiError
from dayi.core.pages import shown_in_place
from dayi.directory import services
from dayi.directory.forms import (
    ExpertForm,
    ExpertRetireForm,
    ImportForm,
    InstrumentForm,
    RetireForm,
    add_service_errors,
    initial_from,
)
from dayi.directory.models import Instrument, Status
from dayi.directory.queries import match_experts
from dayi.network.models import Institution

PAGE_SIZE = 50
RETIRED = "retired"  # the status filter's extra choice: instruments taken out of the directory
MAX_BAD_ROWS_SHOWN = 500
# An upload that passed its dry run waits here until the manager confirms it (or for a day).
PENDING_DIR = Path(tempfile.gettempdir()) / "dayi-imports"
PENDING_MAX_AGE_SECONDS = 24 * 3600
PENDING_SESSION_KEY = "dayi_pending_import"


def managed_institutions(actor: Actor) -> QuerySet[Institution]:
    ids = operated_institution_ids(actor, "instruments")
    qs = Institution.objects.order_by("name")
    return qs if ids is None else qs.filter(pk__in=ids)


def _no_institutions(request: HttpRequest, status: int) -> HttpResponse:
    return render(request, "directory/no_institutions.html", status=status)


def _int_or_none(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


# --- the list --------------------------------------------------------------------------------------------


def managed_instruments(
    actor: Actor, *, institution: int | None, status: str, q: str
) -> QuerySet[Instrument]:
    """The instruments of the institutions ``actor`` manages, filtered; retired ones only when asked."""
    qs = operated_instruments(actor)
    if institution:
        qs = qs.filter(institution_id=institution)
    if status == RETIRED:
        qs = qs.filter(retired__isnull=False)
    else:
        qs = qs.filter(retired__isnull=True)
        if status in Status.values:
            qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(inventory_no__icontains=q) | Q(model__icontains=q))
    return qs.select_related("institution", "category").order_by("-updated", "-id")


@login_required
@require_http_methods(["GET"])
def instrument_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    institutions = list(managed_institutions(actor))
    if not institutions:
        return _no_institutions(request, 200)
    institution = _int_or_none(request.GET.get("institution"))
    status = request.GET.get("status", "")
    q = request.GET.get("q", "").strip()[:100]
    qs = managed_instruments(actor, institution=institution, status=status, q=q)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "institutions": institutions,
        "filters": {"institution": institution, "status": status, "q": q},
        "statuses": [*Status.choices, (RETIRED, _("已退役"))],
        "page_obj": page,
    }
    return render(request, _list_template(request), context)


def _list_template(request: HttpRequest) -> str:
    # htmx swaps only the results when the filter changes or a page link is followed; without
    # JavaScript, and when htmx restores a page from history, the whole page is sent.
    partial = request.headers.get("HX-Request") and not request.headers.get("HX-History-Restore-Request")
    return "directory/_manage_results.html" if partial else "directory/manage_list.html"


# --- create and edit -------------------------------------------------------------------------------------


def _form_page(request: HttpRequest, form: InstrumentForm, status: int, **context: Any) -> HttpResponse:
    return render(request, "directory/instrument_form.html", {"form": form, **context}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def instrument_create(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    institutions = list(managed_institutions(actor))
    if not institutions:
        return _no_institutions(request, 403)
    if request.method == "GET":
        initial = {"institution": _int_or_none(request.GET.get("institution")) or institutions[0].pk}
        return _form_page(request, InstrumentForm(initial=initial, institutions=institutions), 200)
    form = InstrumentForm(request.POST, institutions=institutions)
    if not form.is_valid():
        return _form_page(request, form, 422)
    try:
        instrument = services.create_instrument(actor, form.service_data(), now=timezone.now())
    except DayiError as exc:
        add_service_errors(form, exc)
        return _form_page(request, form, exc.status)
    messages.success(request, _("已添加仪器：%(name)s") % {"name": instrument.name})
    return redirect(reverse("manage:instruments") + f"?institution={instrument.institution_id}")


@login_required
@require_http_methods(["GET", "POST"])
def instrument_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    instrument = access_instrument(actor, pk)
    if request.method == "GET":
        form = InstrumentForm(initial=initial_from(instrument), editing=True)
        return _form_page(request, form, 200, instrument=instrument)
    form = InstrumentForm(request.POST, editing=True)
    if not form.is_valid():
        return _form_page(request, form, 422, instrument=instrument)
    try:
        services.update_instrument(actor, pk, form.service_data(), now=timezone.now())
    except DayiError as exc:
        if not shown_in_place(exc):
            raise  # the message page (dayi.core.pages)
        add_service_errors(form, exc)
        return _form_page(request, form, exc.status, instrument=instrument)
    messages.success(request, _("已保存：%(name)s") % {"name": form.cleaned_data["name"]})
    return redirect(reverse("manage:instruments") + f"?institution={instrument.institution_id}")


# --- retire ----------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def instrument_retire(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST retires. Retiring keeps the record and its history."""
    actor = actor_for(request.user)
    instrument = access_instrument(actor, pk)
    form = RetireForm(request.POST or None)
    if request.method == "GET" or not form.is_valid():
        status = 200 if request.method == "GET" else 422
        return render(
            request, "directory/retire_confirm.html", {"instrument": instrument, "form": form}, status=status
        )
    services.retire_instrument(actor, pk, now=timezone.now(), reason=form.cleaned_data["reason"])
    messages.success(request, _("已退役：%(name)s，不再出现在仪器检索中") % {"name": instrument.name})
    return redirect(reverse("manage:instruments") + f"?institution={instrument.institution_id}")


# --- import ----------------------------------------------------------------------------------------------


def _run_import(
    actor: Actor, *, institution_id: int, filename: str, data: bytes, options: dict[str, str], dry_run: bool
) -> Any:
    # Imported here, not at the top: the import service is its own module with heavier dependencies
    # (the XLSX reader), and only this page needs it.
    from dayi.directory import importing

    return importing.import_instruments(
        actor,
        institution_id,
        data,
        filename=filename,
        fmt=options.get("fmt") or None,
        defaults=importing.Defaults(
            category=options.get("default_category") or None,
            original_value=options.get("default_value") or None,
        ),
        dry_run=dry_run,
        now=timezone.now(),
    )


def _remove_stale_pending() -> None:
    if not PENDING_DIR.is_dir():
        return
    cutoff = time.time() - PENDING_MAX_AGE_SECONDS
    for path in PENDING_DIR.iterdir():
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def _keep_pending(
    request: HttpRequest, *, institution_id: int, filename: str, data: bytes, options: dict[str, str]
) -> None:
    """Hold a checked upload until it is confirmed, so the manager does not upload it twice.

    The session holds only a random token; the file's path is never taken from the request.
    """
    _drop_pending(request)
    _remove_stale_pending()
    PENDING_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    token = secrets.token_hex(16)
    (PENDING_DIR / token).write_bytes(data)
    request.session[PENDING_SESSION_KEY] = {
        "token": token,
        "institution": institution_id,
        "filename": filename,
    }


def _pending(request: HttpRequest) -> tuple[dict[str, Any], bytes] | None:
    info = request.session.get(PENDING_SESSION_KEY)
    if not info:
        return None
    path = PENDING_DIR / info["token"]
    return (info, path.read_bytes()) if path.is_file() else None


def _drop_pending(request: HttpRequest) -> None:
    info = request.session.pop(PENDING_SESSION_KEY, None)
    if info:
        (PENDING_DIR / info["token"]).unlink(missing_ok=True)


def _import_page(request: HttpRequest, status: int = 200, **context: Any) -> HttpResponse:
    return render(request, "directory/import.html", context, status=status)


def _rejected(request: HttpRequest, form: ImportForm, exc: DayiError, filename: str) -> HttpResponse:
    rows = list(exc.extra.get("rows") or [])
    count = exc.extra.get("error_count") or len(rows)
    if not rows:
        add_service_errors(form, exc)
    return _import_page(
        request,
        exc.status,
        form=form,
        filename=filename,
        bad_rows=rows[:MAX_BAD_ROWS_SHOWN],
        bad_row_count=count if rows else 0,
        message=exc.message,
    )


def _check_upload(request: HttpRequest, actor: Actor, institutions: list[Institution]) -> HttpResponse:
    form = ImportForm(request.POST, request.FILES, institutions=institutions)
    if not form.is_valid():
        return _import_page(request, 422, form=form)
    upload = form.cleaned_data["file"]
    filename, data = upload.name, upload.read()
    institution_id, options = form.cleaned_data["institution"], form.options()
    try:
        result = _run_import(
            actor, institution_id=institution_id, filename=filename, data=data, options=options, dry_run=True
        )
    except DayiError as exc:
        return _rejected(request, form, exc, filename)
    _keep_pending(request, institution_id=institution_id, filename=filename, data=data, options=options)
    institution = next(i for i in institutions if i.pk == institution_id)
    return _import_page(request, form=form, checked=result, filename=filename, institution=institution)


def _confirm_upload(request: HttpRequest, actor: Actor, institutions: list[Institution]) -> HttpResponse:
    pending = _pending(request)
    form = ImportForm(institutions=institutions)
    if pending is None:
        messages.error(request, _("没有待导入的文件，或文件已过期，请重新上传"))
        return redirect("manage:import")
    info, data = pending
    try:
        result = _run_import(
            actor,
            institution_id=info["institution"],
            filename=info["filename"],
            data=data,
            options=info.get("options") or {},
            dry_run=False,
        )
    except DayiError as exc:
        _drop_pending(request)
        return _rejected(request, form, exc, info["filename"])
    _drop_pending(request)
    messages.success(
        request,
        _("已导入 %(filename)s：新增 %(created)s 台，更新 %(updated)s 台")
        % {"filename": info["filename"], "created": result.created, "updated": result.updated},
    )
    return redirect(reverse("manage:instruments") + f"?institution={info['institution']}")


@login_required
@require_http_methods(["GET", "POST"])
def instrument_import(request: HttpRequest) -> HttpResponse:
    """Upload → dry run (counts, or the table of bad rows) → confirm → import, all rows or none."""
    actor = actor_for(request.user)
    institutions = list(managed_institutions(actor))
    if not institutions:
        return _no_institutions(request, 403)
    action = request.POST.get("action", "")
    if request.method == "POST" and action == "confirm":
        return _confirm_upload(request, actor, institutions)
    if request.method == "POST" and action == "cancel":
        _drop_pending(request)
        return redirect("manage:import")
    if request.method == "POST":
        return _check_upload(request, actor, institutions)
    initial = {"institution": _int_or_none(request.GET.get("institution")) or institutions[0].pk}
    return _import_page(request, form=ImportForm(initial=initial, institutions=institutions))


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect("manage:instruments")


# --- experts ---------------------------------------------------------------------------------------------


def _expert_institutions(actor: Actor) -> list[tuple[Any, str]]:
    """The institutions whose experts the actor lists; "no institution" first for a platform admin."""
    choices: list[tuple[Any, str]] = [(i.pk, i.name) for i in managed_institutions(actor)]
    if may_name_experts_without_institution(actor):
        choices.insert(0, ("", _("不属于任何单位")))
    return choices


@login_required
@require_http_methods(["GET"])
def expert_list(request: HttpRequest) -> HttpResponse:
    """The experts the actor manages, found with the same matching as the public list and the API."""
    actor = actor_for(request.user)
    if not _expert_institutions(actor):
        return _no_institutions(request, 200)
    q = request.GET.get("q", "").strip()[:100]
    show_retired = request.GET.get("retired") == "1"
    experts = match_experts(managed_experts(actor), q=q, include_retired=show_retired)
    page = Paginator(experts, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"q": q, "show_retired": show_retired, "page_obj": page}
    return render(request, "directory/expert_list.html", context)


def _expert_page(request: HttpRequest, form: ExpertForm, status: int = 200, **context: Any) -> HttpResponse:
    return render(request, "directory/expert_form.html", {"form": form, **context}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def expert_create(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    institutions = _expert_institutions(actor)
    if not institutions:
        return _no_institutions(request, 403)
    if request.method == "GET":
        return _expert_page(request, ExpertForm(institutions=institutions))
    form = ExpertForm(request.POST, institutions=institutions)
    if not form.is_valid():
        return _expert_page(request, form, 422)
    try:
        expert = services.create_expert(actor, form.service_data(), now=timezone.now())
    except DayiError as exc:
        form.add_service_error(exc)
        return _expert_page(request, form, exc.status)
    messages.success(request, _("已添加专家：%(name)s") % {"name": expert.name})
    return redirect("manage:experts")


@login_required
@require_http_methods(["GET", "POST"])
def expert_edit(request: HttpRequest, expert_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    expert = access_expert(actor, expert_id)
    if request.method == "GET":
        form = ExpertForm(initial=ExpertForm.initial_from(expert))
        return _expert_page(request, form, expert=expert, retire_form=ExpertRetireForm())
    form = ExpertForm(request.POST)
    if not form.is_valid():
        return _expert_page(request, form, 422, expert=expert, retire_form=ExpertRetireForm())
    try:
        services.update_expert(actor, expert_id, form.service_data(), now=timezone.now())
    except DayiError as exc:
        if not shown_in_place(exc):
            raise
        form.add_service_error(exc)
        return _expert_page(request, form, exc.status, expert=expert, retire_form=ExpertRetireForm())
    messages.success(request, _("已保存：%(name)s") % {"name": form.cleaned_data["name"]})
    return redirect("manage:experts")


@login_required
@require_http_methods(["POST"])
def expert_retire(request: HttpRequest, expert_id: int) -> HttpResponse:
    """Take the expert off the lists (the record and its audit stay)."""
    actor = actor_for(request.user)
    expert = access_expert(actor, expert_id)
    form = ExpertRetireForm(request.POST)
    if not form.is_valid():
        page_form = ExpertForm(initial=ExpertForm.initial_from(expert))
        return _expert_page(request, page_form, 422, expert=expert, retire_form=form)
    services.retire_expert(actor, expert_id, reason=form.cleaned_data["reason"], now=timezone.now())
    messages.success(request, _("专家 %(name)s 已退出专家库。") % {"name": expert.name})
    return redirect("manage:experts")
