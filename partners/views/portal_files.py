"""Attachments in the portal: deleting one from a draft, and the permission-checked download."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _g
from django.views.decorators.http import require_POST, require_safe

from ..models import Attachment
from ..services import uploads
from ..services.applications import ServiceError
from ..services.security import log_attachment_view
from .portal import get_my_application, refuse


@login_required
@require_safe
def download(request, pk):
    """Only the applicant's people and staff get the file; everyone else gets 404 (no hint it exists)."""
    attachment = get_object_or_404(Attachment.objects.select_related("application__organization"), pk=pk)
    if not uploads.can_download(request.user, attachment):
        raise Http404
    if attachment.purged_at is not None or not attachment.file:
        return HttpResponse(_g("This file was deleted under the retention rule."), status=410,
                            content_type="text/plain; charset=utf-8")
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    log_attachment_view(request, attachment)  # staff views are audited; applicants' own are not
    response = FileResponse(handle, as_attachment=True, filename=attachment.original_name,
                            content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def delete(request, pk, attachment_id):
    application = get_my_application(request.user, pk)
    attachment = get_object_or_404(Attachment, pk=attachment_id, application=application)
    try:
        uploads.delete_attachment(request.user, attachment)
    except ServiceError as exc:
        return refuse(request, application, exc.message, status=409)
    messages.success(request, _g("The file was deleted."))
    back = request.POST.get("back") if request.POST.get("back") in ("attachments", "channel") else "attachments"
    return redirect("portal:step", pk=application.pk, step=back)
