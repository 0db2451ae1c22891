"""The applicant's decision letters (as a page and as a PDF), membership number and public notice period."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from ..enums import ApplicationState
from ..models import Decision, Membership
from ..services.letter_pdf import letter_pdf
from .portal import get_my_application

# Decisions that send the applicant a letter (the other decisions are staff-internal).
LETTER_ACTIONS = ("approve", "reject", "request_changes", "admit")


def letters_of(application):
    return Decision.objects.filter(application=application, action__in=LETTER_ACTIONS).exclude(
        letter_body="").order_by("-created_at", "-pk")


def membership_of(application):
    """The membership this application led to (only once it was admitted)."""
    if application.state != ApplicationState.ADMITTED:
        return None
    return Membership.objects.filter(organization_id=application.organization_id).first()


def publicity_period(application):
    """(start, end) of the public notice: it starts with the approval that opened it, ends at its deadline."""
    if application.publicity_ends_at is None:
        if application.state != ApplicationState.ADMITTED:
            return None
        approve = (Decision.objects.filter(application=application, action="approve")
                   .order_by("-created_at").first())
        if approve is None:
            return None
        return approve.created_at, approve.created_at + timezone.timedelta(days=settings.PUBLICITY_DAYS)
    approve = (Decision.objects.filter(application=application, action="approve",
                                       created_at__lte=application.publicity_ends_at)
               .order_by("-created_at").first())
    start = approve.created_at if approve else application.publicity_ends_at - timezone.timedelta(
        days=settings.PUBLICITY_DAYS)
    return start, application.publicity_ends_at


def _letter(request, pk, decision_id):
    application = get_my_application(request.user, pk)
    decision = get_object_or_404(letters_of(application), pk=decision_id)
    return application, decision


@login_required
@require_GET
def letter(request, pk, decision_id):
    application, decision = _letter(request, pk, decision_id)
    return render(request, "partners/portal/letter.html", {"application": application, "decision": decision})


@login_required
@require_GET
def letter_download(request, pk, decision_id):
    application, decision = _letter(request, pk, decision_id)
    if not decision.letter_body:
        raise Http404
    date = timezone.localtime(decision.created_at).strftime("%Y-%m-%d")
    content = letter_pdf(decision.letter_subject, decision.letter_body, footer=date)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="letter-{application.pk}-{decision.pk}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
