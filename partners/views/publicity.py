"""The public notice (公示): the list of approved applications and the public objection form."""

from django.conf import settings
from django.contrib import messages
from django.db.models import OuterRef, Prefetch, Subquery
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _g
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_safe

from ..enums import ApplicationState
from ..forms.review import ObjectionForm
from ..models import Application, Decision, RequestedType
from ..services import review as review_services
from ..services.applications import ServiceError
from .documents import notice_number, pdf_response
from .documents import notice_pdf as render_notice
from .review_common import paginate


def _client_ip(request):
    from ..services.security import client_ip

    return client_ip(request)


def _in_publicity():
    # Public facts only: the organisation's name and the types granted, never contact data. The notice
    # starts with the approval that opened it.
    started = (Decision.objects.filter(application=OuterRef("pk"), action="approve")
               .order_by("-created_at").values("created_at")[:1])
    return (Application.objects.filter(state=ApplicationState.PUBLICITY, publicity_ends_at__gt=timezone.now())
            .annotate(publicity_starts_at=Subquery(started))
            .select_related("organization", "organization__district")
            .prefetch_related(Prefetch("requested_types", queryset=RequestedType.objects.filter(granted=True),
                                       to_attr="granted_types"))
            .order_by("publicity_ends_at", "pk"))


def publicity_list(request):
    page = paginate(request, _in_publicity())
    return render(request, "partners/publicity/list.html",
                  {"page": page, "office_contact": settings.PLAN_OFFICE_CONTACT})


@csrf_exempt
def objection(request, public_id):
    # The size limit must be installed before the body is read, which the CSRF check would do.
    from ..services.uploads import SizeLimitUploadHandler

    try:
        request.upload_handlers.insert(0, SizeLimitUploadHandler(request))
    except AttributeError:
        pass  # the body was read already; the upload checks still refuse large files
    return _objection(request, public_id)


@csrf_protect
def _objection(request, public_id):
    application = get_object_or_404(_in_publicity(), public_id=public_id)
    status = 200
    if request.method == "POST":
        form = ObjectionForm(request.POST, request.FILES)
        status = 400
        valid = form.is_valid()
        if getattr(request, "upload_too_large", False):
            from .portal_wizard import too_large_message

            form.add_error("evidence", too_large_message())
            valid = False
        if valid:
            data = dict(form.cleaned_data)
            files = data.pop("evidence", [])
            try:
                objection = review_services.file_objection(application, ip=_client_ip(request), files=files,
                                                           **data)
            except ServiceError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                status = 429 if exc.code == "throttled" else 400
            else:
                message = _g("Thank you. Your objection was received and will be examined. Your reference number "
                             "is %(ref)s.") % {"ref": objection.reference}
                if objection.email:
                    message += " " + _g("We sent it to %(email)s and will write there with the outcome.") % {
                        "email": objection.email}
                messages.success(request, message)
                return redirect("publicity:list")
    else:
        form = ObjectionForm()
    return render(request, "partners/publicity/objection.html",
                  {"application": application, "form": form, "office_contact": settings.PLAN_OFFICE_CONTACT},
                  status=status)


@require_safe
def notice_pdf(request, public_id):
    """The 公示 notice of one application as a numbered PDF document (public facts only)."""
    application = get_object_or_404(_in_publicity(), public_id=public_id)
    return pdf_response(render_notice(application, application.publicity_starts_at, application.publicity_ends_at),
                        f"notice-{notice_number(application)}.pdf")
