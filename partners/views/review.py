"""Staff dashboard: counts per state, overdue items, my assignments, this year's admissions per type."""

from django.db.models import Count
from django.shortcuts import render
from django.utils import timezone

from ..enums import ApplicationState, PartnerType
from ..forms.review import QUEUE_STATES, overdue_q
from ..models import Application, MembershipGrant
from ..permissions import can
from .review_common import staff_view


@staff_view("membership.view")
def dashboard(request):
    user = request.user
    ctx = {"can_review": bool(can(user, "queue.view")), "can_members": True,
           "can_letters": bool(can(user, "letters.edit"))}
    if ctx["can_review"]:
        counts = dict(Application.objects.exclude(state=ApplicationState.DRAFT).order_by().values("state")
                      .annotate(n=Count("pk")).values_list("state", "n"))
        ctx["counts"] = [(s, counts.get(s.value, 0)) for s in QUEUE_STATES]
        ctx["overdue"] = Application.objects.filter(overdue_q()).count()
        ctx["mine"] = (Application.objects.filter(assigned_reviewer=user, state__in=[
            ApplicationState.SUBMITTED, ApplicationState.IN_REVIEW, ApplicationState.FINAL_REVIEW])
            .select_related("organization").prefetch_related("requested_types").order_by("submitted_at")[:20])
        ctx["objection_applications"] = (Application.objects.filter(objections__state="open").distinct()
                                         .select_related("organization").order_by("publicity_ends_at")[:20])
    year = timezone.localdate().year
    per_type = dict(MembershipGrant.objects.filter(granted_on__year=year).order_by().values("partner_type")
                    .annotate(n=Count("pk")).values_list("partner_type", "n"))
    ctx["year"] = year
    ctx["admissions"] = [(t, per_type.get(t.value, 0)) for t in PartnerType]
    return render(request, "partners/review/dashboard.html", ctx)
