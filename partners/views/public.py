"""Public pages: home, member directory, statistics and the public notice (公示) list."""

from django.db.models import Count
from django.shortcuts import render

from ..enums import ApplicationState, MembershipState, PartnerType
from ..models import Application, Membership


def home(request):
    publicity = (Application.objects.filter(state=ApplicationState.PUBLICITY)
                 .select_related("organization").order_by("publicity_ends_at")[:20])
    figures = {
        "members": Membership.objects.filter(state=MembershipState.ACTIVE).count(),
        "in_review": Application.objects.filter(state__in=[ApplicationState.SUBMITTED, ApplicationState.IN_REVIEW,
                                                            ApplicationState.FINAL_REVIEW]).count(),
    }
    per_type = dict(Membership.objects.filter(state=MembershipState.ACTIVE).values_list("grants__partner_type")
                    .annotate(n=Count("pk")).values_list("grants__partner_type", "n"))
    types = [(t, per_type.get(t.value, 0)) for t in PartnerType]
    return render(request, "partners/public/home.html",
                  {"publicity": publicity, "figures": figures, "types": types})
