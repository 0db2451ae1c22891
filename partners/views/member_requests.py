"""Member requests (诉求) on the staff screens: the list, one request with its actions, and the monthly report."""

import csv

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from ..enums import MemberRequestKind, MemberRequestState
from ..forms.member_service import MemberRequestForm, ReportMonthForm, RequestActionForm
from ..forms.review import bootstrap
from ..member_scope import visible_memberships
from ..models import MemberRequest
from ..services import member_requests as request_services
from ..services.applications import ServiceError
from ..workflow import engine
from .member_service import officer_view
from .review_common import paginate, staff_view


class RequestFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), required=False,
                              choices=[("", _("All states")), ("open", _("Open")), *MemberRequestState.choices])
    kind = forms.ChoiceField(label=_("Kind of request"), required=False,
                             choices=[("", _("All kinds")), *MemberRequestKind.choices])
    mine = forms.BooleanField(label=_("Only mine"), required=False)
    overdue = forms.BooleanField(label=_("Only overdue"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


def _visible(request):
    return visible_memberships(request.user, MemberRequest.objects.all(), prefix="membership__")


def _request_or_404(request, pk):
    return get_object_or_404(_visible(request).select_related("membership", "membership__organization", "officer"),
                             pk=pk)


@staff_view("membership.view")
def request_list(request):
    form = RequestFilterForm(request.GET or None)
    qs = _visible(request).select_related("membership", "membership__organization", "officer")
    if form.is_valid():
        data = form.cleaned_data
        if data["state"] == "open":
            qs = qs.filter(state__in=MemberRequestState.open_states())
        elif data["state"]:
            qs = qs.filter(state=data["state"])
        if data["kind"]:
            qs = qs.filter(kind=data["kind"])
        if data["mine"]:
            qs = qs.filter(officer=request.user)
        if data["overdue"]:
            qs = qs.filter(state__in=MemberRequestState.open_states(), due_at__lt=timezone.now())
    page = paginate(request, qs.order_by("due_at", "pk"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "partners/review/member_requests.html",
                  {"form": form, "page": page, "querystring": params.urlencode(), "now": timezone.now()})


def _detail_context(request, member_request, form=None):
    return {"member_request": member_request, "membership": member_request.membership,
            "actions": engine.available_actions(member_request, request.user),
            "form": form or RequestActionForm(), "history": _history(member_request)}


def _history(member_request):
    from ..models import AuditEvent

    return (AuditEvent.objects.filter(organization_id=member_request.membership.organization_id,
                                      action__startswith="member_request.", data__request=member_request.pk)
            .order_by("id"))


@staff_view("membership.view")
def request_detail(request, pk):
    member_request = _request_or_404(request, pk)
    return render(request, "partners/review/member_request.html", _detail_context(request, member_request))


def fire_from_form(request, member_request, action, template, context_of):
    """Fire a request action from a posted RequestActionForm; answers like every workflow page (400/403/409)."""
    process = engine.get_process("member_request")
    form = RequestActionForm(request.POST)
    transition = process.table.get((member_request.state, action))
    if action not in process.actions:
        raise Http404
    status = 400
    if form.is_valid() and transition is not None:
        try:
            request_services.fire(request.user, member_request, action, expected_state=member_request.state,
                                  **form.inputs(transition))
        except engine.TransitionError as exc:
            form.add_error(getattr(exc, "field", None) if getattr(exc, "field", None) in form.fields else None,
                           exc.message)
            status = {"forbidden": 403, "conflict": 409, "four_eyes": 403}.get(exc.code, 400)
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _g("Done: %(action)s.") % {"action": transition.label})
            return None
    elif transition is None:
        form.is_valid()
        form.add_error(None, process.not_possible(action, member_request.state) if process.not_possible else
                       _g("This action is not possible now. Please reload."))
        status = 409
    member_request.refresh_from_db()
    return render(request, template, context_of(request, member_request, form), status=status)


@require_POST
@staff_view("membership.view")
def request_act(request, pk, action):
    member_request = _request_or_404(request, pk)
    response = fire_from_form(request, member_request, action, "partners/review/member_request.html",
                              _detail_context)
    return response or redirect("review:member_request", pk=pk)


@require_POST
@officer_view
def request_new(request, pk):
    """An officer records a request the member made by telephone or in a visit."""
    from .member_service import _rerender, _service_error
    from .members import visible_member_or_404

    membership = visible_member_or_404(request, pk)
    form = MemberRequestForm(request.POST, prefix="request")
    if form.is_valid():
        try:
            member_request = request_services.raise_request(request.user, membership, **form.cleaned_data)
        except ServiceError as exc:
            return _rerender(request, membership, {"request": form}, _service_error(form, exc))
        messages.success(request, _g("The request was recorded."))
        return redirect("review:member_request", pk=member_request.pk)
    return _rerender(request, membership, {"request": form})


@staff_view("membership.view")
def request_report(request):
    """Open, overdue and closed requests of a month per officer, district and kind (HTML or CSV)."""
    form = ReportMonthForm(request.GET or None)
    today = timezone.localdate()
    year, month = today.year, today.month
    status = 200
    if form.is_bound and not form.is_valid():
        status = 400
    elif form.is_bound and form.cleaned_data["month"]:
        year, month = map(int, form.cleaned_data["month"].split("-"))
    rows = request_services.monthly_report(request.user, year, month)
    if request.GET.get("format") == "csv" and status == 200:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="member-requests-{year}-{month:02d}.csv"'
        response.write("\ufeff")
        writer = csv.writer(response)
        writer.writerow([_g("Service officer"), _g("District"), _g("Kind of request"), _g("Open"), _g("Overdue"),
                         _g("Closed")])
        for row in rows:
            writer.writerow([row["officer"], row["district"], row["kind_label"], row["open"], row["overdue"],
                             row["closed"]])
        return response
    totals = {key: sum(r[key] for r in rows) for key in ("open", "overdue", "closed")}
    return render(request, "partners/review/member_request_report.html",
                  {"form": form, "rows": rows, "totals": totals, "month": f"{year}-{month:02d}"}, status=status)
