"""Staff download of an objection's evidence files: always as a download, and recorded in the security log."""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404

from ..models import ObjectionEvidence
from ..services.security import audit
from .review_common import staff_view


@staff_view("queue.view")
def evidence(request, pk):
    item = get_object_or_404(ObjectionEvidence.objects.select_related("objection"), pk=pk)
    if not item.file:
        raise Http404
    try:
        handle = item.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    # 等保 安全审计: every staff view of a file someone uploaded is recorded, as for attachments.
    audit("attachment.viewed", request=request, object_ref=f"objection_evidence:{item.pk}",
          data={"application": item.objection.application_id, "name": item.original_name})
    response = FileResponse(handle, as_attachment=True, filename=item.original_name,
                            content_type=item.content_type or "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
