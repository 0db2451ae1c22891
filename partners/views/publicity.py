"""The public notice (公示): the list of approved applications and the public objection form."""

from django.contrib import messages
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _g

from ..enums import ApplicationState
from ..forms.review import ObjectionForm
from ..models import Application, RequestedType
from ..services import review as review_services
from ..services.applications import ServiceError
from .review_common import paginate


def _client_ip(request):
    from ..services.security import client_ip

    return client_ip(request)


def _in_publicity():
    # Public facts only: the organisation's name and the types granted, never contact data.
    return (Application.objects.filter(state=ApplicationState.PUBLICITY, publicity_ends_at__gt=timezone.now())
            .select_related("organization", "organization__district")
            .prefetch_related(Prefetch("requested_types", queryset=RequestedType.objects.filter(granted=True),
                                       to_attr="granted_types"))
            .order_by("publicity_ends_at", "pk"))


def publicity_list(request):
    page = paginate(request, _in_publicity())
    return render(request, "partners/publicity/list.html", {"page": page})


def objection(request, public_id):
    application = get_object_or_404(_in_publicity(), public_id=public_id)
    status = 200
    if request.method == "POST":
        form = ObjectionForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                review_services.file_objection(application, ip=_client_ip(request), **form.cleaned_data)
            except ServiceError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                status = 429 if exc.code == "throttled" else 400
            else:
                messages.success(request, _g("Thank you. Your objection was received and will be examined."))
                return redirect("publicity:list")
    else:
        form = ObjectionForm()
    return render(request, "partners/publicity/objection.html", {"application": application, "form": form},
                  status=status)
