"""Staff screens of member upkeep: the annual update's non-responders, and members' changes to public facts."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from ..enums import ProfileChangeState
from ..forms.review import bootstrap
from ..member_scope import visible_memberships
from ..models import ProfileChange
from ..services import annual_update as annual_services
from ..services import profile_changes as change_services
from ..services.applications import ServiceError
from .member_service import officer_view
from .review_common import paginate, staff_view


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


@staff_view("membership.view")
def non_responders(request):
    """Members that did not answer the year's annual update; staff may suspend them from the member's page."""
    form = YearForm(request.GET or None)
    year = timezone.localdate().year
    status = 200
    if form.is_bound and not form.is_valid():
        status = 400
    elif form.is_bound and form.cleaned_data.get("year"):
        year = form.cleaned_data["year"]
    page = paginate(request, annual_services.non_responders(request.user, year))
    return render(request, "partners/review/annual_non_responders.html",
                  {"form": form, "page": page, "year": year}, status=status)


@staff_view("membership.view")
def profile_changes(request):
    """Members' changes to public facts waiting for a staff check."""
    qs = visible_memberships(request.user, ProfileChange.objects.filter(state=ProfileChangeState.PENDING),
                             prefix="organization__membership__")
    page = paginate(request, qs.select_related("organization", "proposed_by").order_by("created_at"))
    from ..services.profile_lists import label_changes

    label_changes(page)  # codes, lists and scenarios shown by their labels
    return render(request, "partners/review/profile_changes.html", {"page": page})


@require_POST
@officer_view
def profile_change_check(request, pk, decision):
    qs = visible_memberships(request.user, ProfileChange.objects.all(), prefix="organization__membership__")
    change = get_object_or_404(qs, pk=pk)
    if decision not in ("accept", "reject"):
        messages.error(request, _g("Unknown action."))
        return redirect("review:profile_changes")
    try:
        change_services.check_change(request.user, change, accept=decision == "accept")
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _g("The change was checked."))
    return redirect("review:profile_changes")
