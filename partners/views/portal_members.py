"""The member's side in the portal: its requests to the plan office (raise, confirm, reopen) and its public facts."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from ..forms.member_service import MemberRequestForm, RequestActionForm
from ..forms.review import bootstrap
from ..models import MemberRequest, Membership
from ..services import member_requests as request_services
from ..services.applications import ServiceError
from ..workflow import engine
from .portal import my_organizations


def _my_membership(user, pk):
    organization = get_object_or_404(my_organizations(user), pk=pk)
    membership = Membership.objects.select_related("organization").filter(organization=organization).first()
    if membership is None:
        raise Http404
    return membership


def _my_request(user, pk):
    return get_object_or_404(MemberRequest.objects.select_related("membership", "membership__organization", "officer")
                             .filter(membership__organization__in=my_organizations(user)), pk=pk)


@login_required
def requests(request, pk):
    """The member's requests, and the form to raise a new one."""
    membership = _my_membership(request.user, pk)
    form = MemberRequestForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                member_request = request_services.raise_request(request.user, membership, **form.cleaned_data)
            except ServiceError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                status = 403 if exc.code == "forbidden" else 400
            else:
                messages.success(request, _g("Your request was sent to your service officer."))
                return redirect("portal:member_request", pk=member_request.pk)
        else:
            status = 400
    return render(request, "partners/portal/member_requests.html", {
        "membership": membership, "organization": membership.organization, "form": form,
        "member_requests": MemberRequest.objects.filter(membership=membership).select_related("officer")},
        status=status)


def _detail_context(request, member_request, form=None):
    from .member_requests import _history

    return {"member_request": member_request, "membership": member_request.membership, "portal": True,
            "organization": member_request.membership.organization,
            "actions": engine.available_actions(member_request, request.user),
            "form": form or RequestActionForm(), "history": _history(member_request)}


@login_required
def request_detail(request, pk):
    member_request = _my_request(request.user, pk)
    return render(request, "partners/portal/member_request.html", _detail_context(request, member_request))


@require_POST
@login_required
def request_act(request, pk, action):
    from .member_requests import fire_from_form

    member_request = _my_request(request.user, pk)
    response = fire_from_form(request, member_request, action, "partners/portal/member_request.html",
                              _detail_context)
    return response or redirect("portal:member_request", pk=pk)


class PublicFactForm(forms.Form):
    field = forms.ChoiceField(label=_("Fact"), choices=[])
    value = forms.CharField(label=_("New value"), max_length=2000, required=False,
                            widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, membership, **kwargs):
        from ..services.profile_changes import choices_for

        super().__init__(*args, **kwargs)
        # The organisation's facts, then those of each partner type the member holds.
        self.fields["field"].choices = choices_for(membership)
        bootstrap(self)


@login_required
def public_facts(request, pk):
    """The member changes a public fact; most wait for a staff check before they show."""
    from ..models import ProfileChange
    from ..services import profile_changes as change_services

    membership = _my_membership(request.user, pk)
    form = PublicFactForm(request.POST or None, membership=membership)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                change = change_services.propose_change(request.user, membership.organization,
                                                        form.cleaned_data["field"], form.cleaned_data["value"])
            except ServiceError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                status = 403 if exc.code == "forbidden" else 400
            else:
                messages.success(request, _g("The change is live.") if change.state == "accepted"
                                 else _g("The change waits for a staff check before it shows."))
                return redirect("portal:public_facts", pk=pk)
        else:
            status = 400
    from ..services.profile_lists import label_changes

    changes = label_changes(ProfileChange.objects.filter(organization=membership.organization)[:30])
    return render(request, "partners/portal/public_facts.html",
                  {"membership": membership, "organization": membership.organization, "form": form,
                   "changes": changes, "type_facts": change_services.type_facts(membership),
                   "list_facts": change_services.list_choices_for(membership)}, status=status)


def _list_fact_form(partner_type, field, data=None, initial=None):
    """The application form's own field for a multi-valued fact (checkboxes), or its scenario formset."""
    from ..forms.profiles import MAX_SCENARIOS, PROFILE_FORMS, ScenarioForm
    from ..services.profile_lists import SCENARIOS

    if field == SCENARIOS:
        formset = forms.formset_factory(ScenarioForm, extra=1, can_delete=True, max_num=MAX_SCENARIOS,
                                        validate_max=True, absolute_max=MAX_SCENARIOS)
        return formset(data=data, initial=initial, prefix="scenarios")
    form = forms.Form(data=data, initial={"values": initial})
    form.fields["values"] = PROFILE_FORMS[partner_type]().fields[field]
    return form


def _posted_scenarios(formset):
    """The scenarios as posted, raw (the service validates them): rows left empty or marked for removal are not
    part of the new list."""
    from ..services.profile_lists import SCENARIO_FIELDS

    if not formset.management_form.is_valid():
        raise ServiceError(_g("The form was incomplete; please load the page again."), field="value")
    from ..forms.profiles import MAX_SCENARIOS

    if formset.management_form.cleaned_data["TOTAL_FORMS"] > MAX_SCENARIOS:  # the formset would drop the rest
        raise ServiceError(_g("Please submit at most %(n)d scenarios.") % {"n": MAX_SCENARIOS}, field="value")
    rows = []
    for row in formset.forms:
        values = {name: (row.data.get(row.add_prefix(name)) or "") for name in SCENARIO_FIELDS}
        if row.data.get(row.add_prefix("DELETE")) or not any(v.strip() for v in values.values()):
            continue
        rows.append(values)
    return rows


@login_required
def public_fact_list(request, pk, key):
    """The member proposes a new list for a multi-valued fact: ticked choices, or its scenarios added, changed
    and removed; sent as one change, checked by staff like the others."""
    import json

    from ..services import profile_changes as change_services
    from ..services import profile_lists

    membership = _my_membership(request.user, pk)
    if key not in dict(change_services.list_choices_for(membership)):
        raise Http404
    partner_type, field = change_services.split_key(key)
    profile = change_services.live_profile(membership, partner_type)
    if profile is None:
        raise Http404
    scenarios = field == profile_lists.SCENARIOS
    current = json.loads(profile_lists.current(profile, field))
    form = _list_fact_form(partner_type, field, request.POST or None, current)
    errors, status = [], 200
    if request.method == "POST" and scenarios and "add_scenario" in request.POST:
        # Without JavaScript the button asks for one more empty row, keeping what was typed.
        data = request.POST.copy()
        try:
            total = int(data.get("scenarios-TOTAL_FORMS", 0))
        except ValueError:
            total = 0
        data["scenarios-TOTAL_FORMS"] = str(max(0, min(total + 1, form.max_num)))
        form = _list_fact_form(partner_type, field, data, current)
    elif request.method == "POST":
        try:
            value = _posted_scenarios(form) if scenarios else request.POST.getlist("values")
            change = change_services.propose_change(request.user, membership.organization, key, value)
        except ServiceError as exc:
            errors, status = [exc.message], 403 if exc.code == "forbidden" else 400
        else:
            messages.success(request, _g("The change is live.") if change.state == "accepted"
                             else _g("The change waits for a staff check before it shows."))
            return redirect("portal:public_facts", pk=pk)
    return render(request, "partners/portal/public_fact_list.html",
                  {"membership": membership, "organization": membership.organization, "form": form,
                   "scenarios": scenarios, "label": change_services.fact_label(partner_type, field),
                   "errors": errors}, status=status)
