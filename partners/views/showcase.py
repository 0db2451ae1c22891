"""Pages of the showcase of pilot cases: the public showcase and a case, the member's new case and its actions,
and the staff queue where cases are reviewed (through the workflow engine) and designated toward the targets."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _g
from django.views.decorators.http import require_POST, require_safe

from ..enums import CaseState
from ..forms.catalogue import CaseForm, ReasonForm, ShowcaseFilter
from ..models import Case, CaseMedia
from ..permissions import acts_for, can
from ..services import cases
from ..services.applications import ServiceError
from ..workflow import CASE, TransitionError, available_actions
from .review_common import paginate, staff_view


@require_safe
def showcase(request):
    form = ShowcaseFilter(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    qs = cases.showcase(industry=getattr(filters.get("industry"), "code", None),
                        partner_type=filters.get("partner_type") or None, year=filters.get("year"),
                        district=getattr(filters.get("district"), "code", None), kind=filters.get("kind") or None)
    return render(request, "partners/showcase/list.html", {"form": form, "page": paginate(request, qs, per_page=20)})


def _case_for(request, public_id):
    case = get_object_or_404(Case.objects.select_related("organization__district", "industry"), public_id=public_id)
    if case.state == CaseState.PUBLISHED or acts_for(request.user, case.organization) or \
            can(request.user, "case.queue"):
        return case
    raise Http404


@require_safe
def case_detail(request, public_id):
    case = _case_for(request, public_id)
    return render(request, "partners/showcase/case.html", {
        "case": case, "partners": case.partners.all(), "pairings": cases.linked_pairings(case),
        "media": case.media.all(), "may_edit": can(request.user, "case.edit", case).allowed,
        "actions": available_actions(case, request.user) if request.user.is_authenticated else [],
        "reason_form": ReasonForm(), "staff": can(request.user, "case.queue").allowed,
        "may_designate": can(request.user, "case.designate").allowed,
    })


@login_required
def new_case(request):
    form = CaseForm(request.POST or None)
    form.limit_organizations(request.user)
    if not form.fields["organization"].queryset.exists():
        messages.error(request, _g("Register your organisation first: cases are submitted for an organisation."))
        return redirect("portal:home")
    if request.method == "POST" and form.is_valid():
        try:
            case = cases.create_case(request.user, form.save(commit=False))
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _g("Saved as a draft. Submit it when it is complete."))
            return redirect("catalogue:case", public_id=case.public_id)
    return render(request, "partners/showcase/case_form.html", {"form": form})


@require_POST
@login_required
def case_action(request, public_id, action):
    """Fire a case action (member or staff) through the workflow engine."""
    case = _case_for(request, public_id)  # a case the person may not see answers 404, as its page does
    if action not in CASE.actions:
        raise Http404
    form = ReasonForm(request.POST)
    inputs = {"reason": form.cleaned_data["reason"]} if form.is_valid() and form.cleaned_data["reason"] else {}
    try:
        cases.fire(request.user, case, action, **inputs)
    except TransitionError as exc:
        if exc.code in ("forbidden", "four_eyes", "suspended"):
            raise PermissionDenied(exc.message) from None
        messages.error(request, exc.message)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _g("Done."))
    return redirect("catalogue:case", public_id=case.public_id)


@require_POST
@login_required
def add_media(request, public_id):
    """An image or a PDF added to a case while it is prepared or returned."""
    case = _case_for(request, public_id)
    uploaded = request.FILES.get("file")
    if uploaded is None:
        messages.error(request, _g("Choose a file to upload."))
        return redirect("catalogue:case", public_id=case.public_id)
    try:
        cases.add_media(request.user, case, uploaded)
    except ServiceError as exc:
        if exc.code == "forbidden":
            raise PermissionDenied(exc.message) from None
        messages.error(request, exc.message)
    else:
        messages.success(request, _g("File added."))
    return redirect("catalogue:case", public_id=case.public_id)


@require_safe
def media(request, public_id, media_id):
    """A case's image or PDF, for whoever may see the case."""
    from django.http import FileResponse

    case = _case_for(request, public_id)
    item = get_object_or_404(CaseMedia, case=case, pk=media_id)
    response = FileResponse(item.file.open("rb"), content_type=item.content_type,
                            as_attachment=item.kind == "pdf", filename=item.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@staff_view("case.queue")
@require_safe
def case_queue(request):
    waiting = cases.open_in_queue().select_related("organization").order_by("state_changed_at", "pk")
    published = cases.published_cases().select_related("organization").order_by("-year", "-published_at")
    return render(request, "partners/showcase/queue.html", {
        "waiting": waiting[:200], "page": paginate(request, published, per_page=50),
        "progress": cases.target_progress()})


@staff_view("case.designate")
@require_POST
def designate(request, public_id):
    case = get_object_or_404(Case, public_id=public_id)
    try:
        cases.designate(request.user, case, counts=request.POST.get("counts") == "1")
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _g("Saved."))
    return redirect("catalogue:case_queue")


