"""Staff screens of calls: each call's counts by state and partner type, its rubrics and panel, and the
assignment of experts to every application the queue's filter matches."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _g
from django.views.decorators.http import require_GET, require_POST

from ..enums import ApplicationState, PartnerType
from ..models import Call
from ..services import calls as call_services
from ..services import panel as panel_services
from ..services.applications import ServiceError
from .review_common import staff_view
from .review_queue import _filter_form


def counts_table(call):
    """Rows of (state label, [count per type], total, median days in the state) in the order of the states and of the partner types."""
    counts = call_services.counts_by_state_and_type(call)
    medians = call_services.median_days_by_state(call)
    rows = []
    for state in ApplicationState:
        per_type = counts.get(state.value, {})
        if per_type:
            rows.append((state.label, [per_type.get(t, 0) for t in PartnerType.values], sum(per_type.values()),
                         round(medians.get(state.value, 0), 1)))
    return rows


@require_GET
@staff_view("call.view")
def call_list(request):
    calls = Call.objects.order_by("-always_open", "-opens_at", "-pk")
    return render(request, "partners/review/calls.html", {"calls": calls})


@require_GET
@staff_view("call.view")
def call_detail(request, pk):
    call = get_object_or_404(Call, pk=pk)
    quotas = [call.quotas.get(t) if isinstance(call.quotas, dict) else None for t in PartnerType.values]
    return render(request, "partners/review/call_detail.html", {
        "call": call, "types": PartnerType.labels, "counts": counts_table(call),
        "quotas": quotas if any(q is not None for q in quotas) else None,
        "rubrics": call.rubrics.prefetch_related("criteria"),
        "panel": call.panel.select_related("expert").order_by("expert__email"),
        "can_assign": bool(panel_services.can(request.user, "panel.assign")),
    })


@require_POST
@staff_view("panel.assign")
def assign_panel(request, pk):
    """Experts for every application of this call the queue's filter matches (not only a page of it)."""
    call = get_object_or_404(Call, pk=pk)
    filter_form = _filter_form(request.POST)
    back = reverse("review:call", args=[call.pk])
    if filter_form.is_bound and not filter_form.is_valid():
        messages.error(request, _g("Please correct the filter."))
        return redirect(back)
    try:
        per_application = int(request.POST.get("per_application") or call.experts_per_application)
    except ValueError:
        messages.error(request, _g("Give the number of experts per application as a whole number."))
        return redirect(back)
    applications = filter_form.filter(request.user).filter(call=call).exclude(state=ApplicationState.DRAFT)
    try:
        created, short = panel_services.assign_panel(request.user, call, applications, per_application)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    messages.success(request, _g("%(n)d expert assignments made.") % {"n": created})
    if short:
        messages.warning(request, _g("%(n)d applications have fewer experts than asked: the panel has too few "
                                     "experts without a conflict.") % {"n": len(short)})
    return redirect(back)


@require_POST
@staff_view("panel.assign")
def remove_assignment(request, pk):
    """Take an expert off an application before their scores are in (through the panel's process)."""
    from .. import workflow
    from ..models import ExpertAssignment

    assignment = get_object_or_404(ExpertAssignment, pk=pk)
    try:
        panel_services.fire(request.user, assignment, "remove",
                            expected_state=request.POST.get("expected_state") or None)
    except workflow.TransitionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _g("The expert was taken off this application."))
    return redirect("review:detail", pk=assignment.application_id)
