"""The member's annual update in the portal: the year's results, and the confirmation that its facts are current."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from ..forms.review import bootstrap
from ..services import annual_update as annual_services
from ..services.applications import ServiceError
from .portal_members import _my_membership


class AnnualUpdateForm(forms.Form):
    projects = forms.CharField(label=_("Projects of the year"), max_length=4000, required=False,
                               widget=forms.Textarea(attrs={"rows": 3}))
    pilot_cases = forms.CharField(label=_("Pilot cases of the year"), max_length=4000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    compute_used = forms.DecimalField(label=_("Compute used (PFLOPS-days)"), required=False, min_value=0,
                                      max_digits=14, decimal_places=2)
    facts_confirmed = forms.BooleanField(label=_("The organisation's facts in the registry are current"),
                                         required=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


@login_required
def annual_update(request, pk):
    membership = _my_membership(request.user, pk)
    update = annual_services.open_update(membership)
    initial = {}
    if update is not None:
        initial = {"projects": update.projects, "pilot_cases": update.pilot_cases,
                   "compute_used": update.compute_used, "facts_confirmed": update.facts_confirmed}
    form = AnnualUpdateForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and update is not None:
        if form.is_valid():
            try:
                annual_services.respond(request.user, update, **form.cleaned_data)
            except ServiceError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                status = 403 if exc.code == "forbidden" else 400
            else:
                messages.success(request, _g("Thank you: the annual update was sent."))
                return redirect("portal:annual_update", pk=pk)
        else:
            status = 400
    elif request.method == "POST":
        status = 409
        messages.error(request, _g("No annual update was asked of this member yet."))
    return render(request, "partners/portal/annual_update.html",
                  {"membership": membership, "organization": membership.organization, "update": update,
                   "form": form}, status=status)
