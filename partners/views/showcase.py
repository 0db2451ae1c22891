"""Pages of the showcase of pilot cases: the public showcase and a case, the member's new case and its actions,
and the staff queue where cases are reviewed (through the workflow engine) and designated toward the targets."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms.utils import ErrorDict
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _g
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ..enums import CaseState, MembershipState
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


def _partner_rows(case):
    """The partners of a case, each with the number of its public member page (None once it is no longer an
    active member: then only the name is shown)."""
    rows = []
    for org in case.partners.select_related("membership").order_by("name"):
        membership = getattr(org, "membership", None)
        active = membership is not None and membership.state == MembershipState.ACTIVE
        rows.append((org, membership.number if active else None))
    return rows


@require_safe
def case_detail(request, public_id):
    case = _case_for(request, public_id)
    return render(request, "partners/showcase/case.html", {
        "case": case, "partners": _partner_rows(case), "pairings": cases.linked_pairings(case),
        "media": case.media.all(), "may_edit": can(request.user, "case.edit", case).allowed,
        "actions": available_actions(case, request.user) if request.user.is_authenticated else [],
        "reason_form": ReasonForm(), "staff": can(request.user, "case.queue").allowed,
        "may_designate": can(request.user, "case.designate").allowed,
    })


def _finding_partners(request):
    """A press of "Find members" is a search, not a submission: the form is shown again with what was typed."""
    return request.method == "POST" and "find_partners" in request.POST


def _show_form(request, form, title, case=None):
    term = " ".join((request.POST.get("partner_q") or "").replace("\x00", "").split())[:100]
    found = form.offer_partners(request.user, term)
    if _finding_partners(request):
        form._errors = ErrorDict()  # nothing was submitted yet, so nothing is wrong yet
    return render(request, "partners/showcase/case_form.html", {
        "form": form, "title": title, "case": case, "partner_q": term, "found": found, "searched": bool(term)})


def _save(form, save):
    """Run the service; a refusal becomes an error on the form (on the partners' field when it is about them)."""
    try:
        return save()
    except ServiceError as exc:
        if exc.code == "forbidden":
            raise PermissionDenied(exc.message) from None
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return None


@login_required
def new_case(request):
    form = CaseForm(request.POST or None)
    form.limit_organizations(request.user)
    if not form.fields["organization"].queryset.exists():
        messages.error(request, _g("Register your organisation first: cases are submitted for an organisation."))
        return redirect("portal:home")
    if request.method == "POST" and not _finding_partners(request) and form.is_valid():
        partner_ids = [org.pk for org in form.cleaned_data["partners"]]
        case = _save(form, lambda: cases.create_case(request.user, form.save(commit=False), partner_ids))
        if case is not None:
            messages.success(request, _g("Saved as a draft. Submit it when it is complete."))
            return redirect("catalogue:case", public_id=case.public_id)
    return _show_form(request, form, _g("Submit a pilot case"))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def edit_case(request, public_id):
    """The member changes a case while it is prepared or after it was returned, its partners included."""
    case = _case_for(request, public_id)  # a case the person may not see answers 404, as its page does
    verdict = can(request.user, "case.edit", case)
    if not verdict:
        raise PermissionDenied(verdict.reason)
    form = CaseForm(request.POST or None, instance=case)
    form.limit_organizations(request.user)
    if request.method == "POST" and not _finding_partners(request) and form.is_valid():
        partner_ids = [org.pk for org in form.cleaned_data["partners"]]
        saved = _save(form, lambda: cases.update_case(request.user, form.save(commit=False), form.changed_data,
                                                      partner_ids))
        if saved is not None:
            messages.success(request, _g("Saved."))
            return redirect("catalogue:case", public_id=case.public_id)
    return _show_form(request, form, _g("Change the pilot case"), case)


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


