"""The membership certificate as a PDF (staff and the member's people) and its public verification page."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from ..models import MemberService
from ..permissions import acts_for
from ..services.certificate import certificate_pdf, current_types
from .review_common import staff_view


def _pdf_response(membership):
    response = HttpResponse(certificate_pdf(membership), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificate-{membership.number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@staff_view("membership.view")
def staff_certificate(request, pk):
    from .members import visible_member_or_404

    return _pdf_response(visible_member_or_404(request, pk))


@login_required
def portal_certificate(request, pk):
    from ..models import Membership

    membership = Membership.objects.select_related("organization").filter(organization_id=pk).first()
    if membership is None or not acts_for(request.user, membership.organization):
        raise Http404
    return _pdf_response(membership)


@require_safe
def verify(request, token):
    """What a QR code on a certificate leads to: whether the membership stands, in Chinese and English."""
    service = (MemberService.objects.select_related("membership", "membership__organization")
               .prefetch_related("membership__grants").filter(certificate_token=token).first())
    if service is None:
        return render(request, "partners/public/certificate.html", {"found": False}, status=404)
    membership = service.membership
    from ..services.certificate import EN_TYPES, ZH_TYPES

    types = current_types(membership)
    return render(request, "partners/public/certificate.html", {
        "found": True, "membership": membership, "organization": membership.organization,
        "types_zh": "、".join(ZH_TYPES[t] for t in types), "types_en": ", ".join(EN_TYPES[t] for t in types)})
