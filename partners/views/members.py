"""Membership management for staff: list, detail with history, suspend, reinstate and revoke."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from ..enums import MembershipState, PartnerType
from ..forms.review import MembershipChangeForm, bootstrap
from ..member_scope import district_of, visible_memberships
from ..models import District, Membership
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
    district = forms.ModelChoiceField(label=_("District"), required=False, queryset=District.objects.all(),
                                      empty_label=_("All districts"))
    officer = forms.ChoiceField(label=_("Service officer"), required=False,
                                choices=[("", _("Anyone")), ("mine", _("Mine")), ("none", _("Nobody yet"))])
    key = forms.ChoiceField(label=_("Key enterprise"), required=False,
                            choices=[("", _("Any")), ("city", _("Of the city")), ("district", _("Of the district"))])

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None and district_of(user) is not None:
            del self.fields["district"]  # district staff only ever see their own district
        bootstrap(self)


def filtered_members(request):
    """The form and the members it selects among those the person serves (the list and bulk actions)."""
    form = MemberFilterForm(request.GET or None, user=request.user)
    qs = visible_memberships(request.user, Membership.objects.all())
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            q = data["q"].strip()
            qs = qs.filter(Q(organization__name__icontains=q) | Q(number__iexact=q)
                           | Q(organization__credit_code__iexact=q.upper()))
        if data["state"]:
            qs = qs.filter(state=data["state"])
        if data["partner_type"]:
            qs = qs.filter(pk__in=Membership.objects.filter(grants__partner_type=data["partner_type"],
                                                            grants__ends_on__isnull=True).values("pk"))
        if data.get("district"):
            qs = qs.filter(organization__district=data["district"])
        if data["officer"] == "mine":
            qs = qs.filter(Q(service__city_officer=request.user) | Q(service__district_officer=request.user))
        elif data["officer"] == "none":
            qs = qs.exclude(service__city_officer__isnull=False).exclude(service__district_officer__isnull=False)
        if data["key"]:
            qs = qs.filter(**{f"service__key_{data['key']}": True})
    return form, qs


@staff_view("membership.view")
def member_list(request):
    from .member_service import assign_form

    form, qs = filtered_members(request)
    qs = qs.select_related("organization", "organization__district", "service", "service__city_officer",
                           "service__district_officer").prefetch_related("grants")
    page = paginate(request, qs.order_by("number"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "partners/review/members.html",
                  {"form": form, "page": page, "querystring": params.urlencode(),
                   "assign_form": assign_form(request.user)})


def _change_forms(user, membership, bound=None):
    if not can(user, "membership.change", membership):
        return []
    result = []
    for code, (_func, allowed_from, label) in CHANGES.items():
        if membership.state in allowed_from:
            form = (bound or {}).get(code) or MembershipChangeForm(initial={"action": code}, prefix=code)
            if code == "revoke":
                form.fields["reason"].help_text = _g(
                    "The reason of a revocation is public: the list of revoked memberships shows it for %(days)d "
                    "days.") % {"days": settings.REVOCATION_PUBLIC_DAYS}
            result.append({"code": code, "label": label, "form": form})
    return result


def _member_context(request, membership, bound=None):
    from .member_service import service_context

    return {**service_context(request, membership, bound),
        "membership": membership, "org": membership.organization,
        "grants": membership.grants.select_related("application").order_by("partner_type"),
        "history": membership_services.member_history(membership),
        "applications": membership.organization.applications.exclude(state="draft")
        .prefetch_related("requested_types").order_by("-created_at"),
        "change_forms": _change_forms(request.user, membership, bound),
    }


def visible_member_or_404(request, pk):
    """The member, or 404 when it is not one the person serves (district staff: another district)."""
    return get_object_or_404(visible_memberships(request.user, Membership.objects.select_related("organization")),
                             pk=pk)


@staff_view("membership.view")
def member_detail(request, pk):
    membership = visible_member_or_404(request, pk)
    return render(request, "partners/review/member_detail.html", _member_context(request, membership))


@require_POST
@staff_view("membership.change")
def member_change(request, pk):
    membership = visible_member_or_404(request, pk)
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
