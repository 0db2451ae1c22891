"""Staff screens of the roster import: upload, the preview of every row, confirm, and the import's progress."""

from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from ..enums import ImportOutcome, ImportState, StaffRole
from ..forms.review import bootstrap
from ..models import RosterImport
from ..permissions import has_role
from ..services import roster_import as import_services
from ..services.applications import ServiceError
from .review_common import paginate


def administrator_view(view):
    """The roster import changes the whole member list: administrators only."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not has_role(request.user, StaffRole.ADMINISTRATOR):
            raise PermissionDenied(_g("Only administrators can import the roster."))
        return view(request, *args, **kwargs)

    return login_required(wrapped)


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Roster (Excel .xlsx)"),
                           help_text=_("Columns: name, credit code, partner types, district, contact, admission "
                                       "date, membership number (if any). The first row holds the headings."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


@administrator_view
def upload(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                roster_import = import_services.start_import(request.user, form.cleaned_data["file"])
            except ServiceError as exc:
                form.add_error("file", exc.message)
            else:
                return redirect("review:roster_import", pk=roster_import.pk)
        status = 400
    return render(request, "partners/review/roster_upload.html",
                  {"form": form, "imports": RosterImport.objects.select_related("uploaded_by")[:20]}, status=status)


@administrator_view
def detail(request, pk):
    roster_import = get_object_or_404(RosterImport, pk=pk)
    outcome = request.GET.get("outcome", "")
    rows = roster_import.rows.select_related("membership")
    if outcome in ImportOutcome.values:
        rows = rows.filter(outcome=outcome)
    else:
        outcome = ""
    return render(request, "partners/review/roster_import.html", {
        "roster_import": roster_import, "page": paginate(request, rows.order_by("row_number"), per_page=100),
        "outcome": outcome, "outcomes": ImportOutcome.choices,
        "running": roster_import.state == ImportState.RUNNING})


@require_POST
@administrator_view
def confirm(request, pk):
    roster_import = get_object_or_404(RosterImport, pk=pk)
    try:
        roster_import = import_services.confirm_import(request.user, roster_import)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        if roster_import.state == ImportState.DONE:
            messages.success(request, _g("The roster was imported."))
        elif roster_import.state == ImportState.RUNNING:
            messages.info(request, _g("The import runs in the background; this page shows its progress."))
        else:
            messages.error(request, roster_import.error or _g("The import stopped on an error."))
    return redirect("review:roster_import", pk=pk)


@administrator_view
def progress(request, pk):
    roster_import = get_object_or_404(RosterImport, pk=pk)
    return JsonResponse({"state": roster_import.state, "processed": roster_import.processed,
                         "total": roster_import.total, "percent": roster_import.percent,
                         "counts": roster_import.counts})
