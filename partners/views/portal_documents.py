"""The applicant's formal PDFs: the receipt of a submission and the full application (申报书)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.views.decorators.http import require_GET

from .documents import application_pdf, pdf_response, receipt_pdf
from .portal import get_my_application


@login_required
@require_GET
def receipt(request, pk):
    application = get_my_application(request.user, pk)
    if not application.receipt_number:
        raise Http404  # a draft never submitted has no receipt
    return pdf_response(receipt_pdf(application), f"receipt-{application.receipt_number}.pdf")


@login_required
@require_GET
def application_document(request, pk):
    application = get_my_application(request.user, pk)
    return pdf_response(application_pdf(application), f"application-{application.pk}.pdf")
