"""The plan's dashboard for the office, the public summary, and the export of the figures (CSV)."""

import csv
import io

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from .. import charts
from ..services import cases, dashboard
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
        "blocks": _blocks(dashboard.sections()), "designated": designated, "public": False})


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
