"""Membership management for staff: list, detail with history, suspend, reinstate and revoke."""

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from ..enums import MembershipState, PartnerType
from ..forms.review import MembershipChangeForm, bootstrap
from ..models import Membership
from ..permissions import can
from ..services import membership as membership_services
from ..services.applications import ServiceError
from .review_common import paginate, staff_view

CHANGES = {
    "suspend": (membership_services.suspend, [MembershipState.ACTIVE], _("Suspend")),
    "reinstate": (membership_services.reinstate, [MembershipState.SUSPENDED], _("Reinstate")),
    "revoke": (membership_services.revoke, [MembershipState.ACTIVE, MembershipState.SUSPENDED], _("Revoke")),
}


class MemberFilterForm(forms.Form):
    q = forms.CharField(label=_("Name, credit code or member number"), required=False, max_length=200)
    state = forms.ChoiceField(label=_("State"), required=False,
                              choices=[("", _("All states")), *MembershipState.choices])
    partner_type = forms.ChoiceField(label=_("Partner type"), required=False,
                                     choices=[("", _("All types")), *PartnerType.choices])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


@staff_view("membership.view")
def member_list(request):
    form = MemberFilterForm(request.GET or None)
    qs = Membership.objects.select_related("organization", "organization__district").prefetch_related("grants")
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            q = data["q"].strip()
            qs = qs.filter(Q(organization__name__icontains=q) | Q(number__iexact=q)
                           | Q(organization__credit_code__iexact=q.upper()))
        if data["state"]:
            qs = qs.filter(state=data["state"])
        if data["partner_type"]:
            qs = qs.filter(grants__partner_type=data["partner_type"], grants__ends_on__isnull=True)
    page = paginate(request, qs.order_by("number"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "partners/review/members.html",
                  {"form": form, "page": page, "querystring": params.urlencode()})


def _change_forms(user, membership, bound=None):
    if not can(user, "membership.change", membership):
        return []
    result = []
    for code, (_func, allowed_from, label) in CHANGES.items():
        if membership.state in allowed_from:
            form = (bound or {}).get(code) or MembershipChangeForm(initial={"action": code}, prefix=code)
            result.append({"code": code, "label": label, "form": form})
    return result


def _member_context(request, membership, bound=None):
    return {
        "membership": membership, "org": membership.organization,
        "grants": membership.grants.select_related("application").order_by("partner_type"),
        "history": membership_services.member_history(membership),
        "applications": membership.organization.applications.exclude(state="draft")
        .prefetch_related("requested_types").order_by("-created_at"),
        "change_forms": _change_forms(request.user, membership, bound),
    }


@staff_view("membership.view")
def member_detail(request, pk):
    membership = get_object_or_404(Membership.objects.select_related("organization"), pk=pk)
    return render(request, "partners/review/member_detail.html", _member_context(request, membership))


@require_POST
@staff_view("membership.change")
def member_change(request, pk):
    membership = get_object_or_404(Membership.objects.select_related("organization"), pk=pk)
    code = request.POST.get("action", "")
    if code not in CHANGES:
        messages.error(request, _g("Unknown action."))
        return redirect("review:member", pk=pk)
    form = MembershipChangeForm(request.POST, prefix=code)
    status = 400
    if form.is_valid():
        try:
            CHANGES[code][0](request.user, membership, form.cleaned_data["reason"])
        except ServiceError as exc:
            form.add_error(None, exc.message)
            status = 409 if exc.code == "conflict" else 400
        else:
            messages.success(request, _g("The member's state was changed."))
            return redirect("review:member", pk=pk)
    membership.refresh_from_db()
    return render(request, "partners/review/member_detail.html",
                  _member_context(request, membership, {code: form}), status=status)
