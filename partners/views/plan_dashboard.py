"""The plan's dashboard for the office, the public summary, and the export of the figures (CSV)."""

import csv
import io

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _g
from django.views.decorators.http import require_http_methods, require_safe

from .. import charts
from ..forms.catalogue import TargetForm
from ..models import YearTarget
from ..models.showcase import DEFAULT_TARGET
from ..permissions import can
from ..services import cases, dashboard
from ..services.applications import ServiceError
from .review_common import staff_view


def _blocks(sections):
    chart_of = {"bar": charts.bar_chart, "column": charts.column_chart}
    return [(s, chart_of[s.chart](s.series, s.title) if s.chart in chart_of and s.series.rows else "")
            for s in sections]


@staff_view("dashboard.view")
@require_safe
def office(request):
    designated = cases.designated_cases().select_related("organization").order_by("-year", "kind", "title")[:200]
    return render(request, "partners/showcase/dashboard.html", {
        "blocks": _blocks(dashboard.sections()), "designated": designated, "public": False,
        "may_set_targets": can(request.user, "target.edit").allowed})


@require_safe
def summary(request):
    designated = cases.designated_cases().select_related("organization").order_by("-year", "kind", "title")[:200]
    return render(request, "partners/showcase/dashboard.html", {
        "blocks": _blocks(dashboard.sections(public=True)), "designated": designated, "public": True})


@staff_view("dashboard.view")
@require_safe
def export(request):
    """Every figure of the dashboard, one row per value (section, code, label, value)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "code", "label", "value"])
    for section in dashboard.sections():
        for code, label, value in section.series.rows:
            writer.writerow([section.code, code, label, value])
        for code, days in getattr(section, "medians", {}).items():
            writer.writerow([f"{section.code}.median_days", code, code, days])
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="plan-dashboard-{timezone.localdate():%Y%m%d}.csv"'
    return response


def _initial_target(request):
    """The form's first values: the year asked for (?year=, else this Beijing year) with its targets so far."""
    asked = TargetForm({"year": request.GET.get("year", ""), "applications": 1, "solutions": 1})
    year = asked.cleaned_data["year"] if asked.is_valid() else timezone.localdate().year
    target = YearTarget.objects.filter(year=year).first()
    return {"year": year, "applications": target.applications if target else DEFAULT_TARGET,
            "solutions": target.solutions if target else DEFAULT_TARGET}


@staff_view("target.edit")
@require_http_methods(["GET", "HEAD", "POST"])
def targets(request):
    """Staff set each year's targets; the dashboard and the public summary count the designated cases against them."""
    posted = request.method == "POST"
    form = TargetForm(request.POST if posted else None, initial=None if posted else _initial_target(request))
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            cases.set_target(request.user, data["year"], applications=data["applications"],
                             solutions=data["solutions"])
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _g("The targets of %(year)s are saved.") % {"year": data["year"]})
            return redirect("catalogue:dashboard")
    return render(request, "partners/showcase/targets.html", {
        "form": form, "progress": cases.target_progress()})
