"""One application for staff: answers, attachments, history, duplicates, diff, timeline, notes, actions."""

from django.contrib import messages
from django.db import connection
from django.db.models import OuterRef
from django.http import FileResponse, Http404
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _g
from django.views.decorators.http import require_POST

from .. import workflow
from ..enums import ObjectionState
from ..forms.review import (
    ACTION_FORMS,
    BulkAssignForm,
    NoteForm,
    ResolveObjectionForm,
    action_form,
    reviewers,
)
from ..models import (
    PROFILE_MODELS,
    Application,
    Attachment,
    AuditEvent,
    Membership,
    Objection,
    RequestedType,
)
from ..permissions import can, never_submitted
from ..services import cache as response_cache
from ..services import review as review_services
from ..services.applications import ServiceError
from ..services.duplicates import possible_duplicates
from ..services.security import log_attachment_view
from .review_answers import answer_groups
from .review_common import staff_view
from .review_diff import readable_diff
from .review_why import reasons_not_to_act

STATUS_OF = {"conflict": 409, "forbidden": 403, "four_eyes": 403}


def revision_diff(application):
    revisions = list(application.revisions.order_by("-number")[:2])
    if len(revisions) < 2:
        return None, revisions[0] if revisions else None, None
    current, previous = revisions
    return readable_diff(previous.snapshot, current.snapshot), current, previous


def _history(org, application):
    """The organisation's other applications, drafts aside, newest first, each knowing its partner types: on
    PostgreSQL read in the same query (an array subquery per application), elsewhere in a second one."""
    history = org.applications.exclude(pk=application.pk).exclude(state="draft").order_by("-created_at")
    if connection.vendor != "postgresql":
        return list(history.prefetch_related("requested_types"))
    from django.contrib.postgres.expressions import ArraySubquery

    types = RequestedType.objects.filter(application_id=OuterRef("pk")).order_by().values("partner_type")
    history = list(history.annotate(requested=ArraySubquery(types)))
    for other in history:
        other.keep_partner_types(other.requested)
    return history


def _detail_context(request, application, bound=None):
    user = request.user
    bound = bound or {}
    actions = []
    for transition in workflow.available_actions(application, user):
        if transition.action not in ACTION_FORMS:
            continue  # uphold_objection is offered on each objection below
        form = bound.get(transition.action) or action_form(transition.action, application)
        actions.append({"transition": transition, "form": form})
    org = application.organization
    membership = Membership.objects.filter(organization=org).prefetch_related("grants").first()
    changes, current, previous = revision_diff(application)
    objections = list(application.objections.select_related("resolved_by").prefetch_related("evidence"))
    can_resolve = bool(can(user, "objection.resolve")) and not review_services.took_part_in_first_review(
        user, application)
    history = _history(org, application)
    return {
        "application": application, "org": org, "answers": answer_groups(application),
        "attachments": application.attachments.all(),
        "history": history,
        "membership": membership,
        # Kept until an application or organisation changes: the name comparison reads many organisations. The
        # organisation's other open applications are among its history, read above.
        "duplicates": response_cache.cached_value(response_cache.QUEUE, f"duplicates|{org.pk}|{application.pk}",
                                                  lambda: possible_duplicates(org, application, history=history)),
        "changes": changes, "current_revision": current, "previous_revision": previous,
        "events": AuditEvent.objects.filter(application=application).select_related("actor").order_by("id"),
        "notes": application.internal_notes.select_related("author"),
        "messages_to_applicant": application.messages.select_related("author"),
        "decisions": application.decisions.select_related("actor"),
        "objections": objections,
        "resolve_forms": {o.pk: bound.get(f"objection-{o.pk}") or ResolveObjectionForm(prefix=f"objection-{o.pk}")
                          for o in objections if o.state == ObjectionState.OPEN and can_resolve},
        "actions": actions,
        "why_not": reasons_not_to_act(application, user, {item["transition"].action for item in actions}),
        "note_form": bound.get("note") or NoteForm(),
        "can_note": bool(can(user, "application.note", application)),
        "can_assign": bool(can(user, "application.assign")),
        "assign_form": BulkAssignForm(initial={"reviewer": application.assigned_reviewer_id, "scope": "selected"}),
    }


def _get(pk):
    # The profile of every partner type comes along (one row each at most): the answers show those requested.
    application = get_object_or_404(
        Application.objects.select_related("organization", "organization__district", "assigned_reviewer",
                                           "first_reviewed_by", "final_decided_by", "invitation",
                                           *(model._meta.model_name for model in PROFILE_MODELS.values()))
        .prefetch_related("requested_types"), pk=pk)
    if never_submitted(application):
        raise Http404  # drafts belong to the applicant until submitted
    return application


def _render_detail(request, application, bound=None, status=200):
    """The page, its body kept per application, person and language until anything it shows changes
    (partners/services/cache.py: the QUEUE and DETAIL generations). A page with a filled-in form is never kept,
    and each person gets their own CSRF token in the kept body's forms."""

    def body():
        full = application if hasattr(application, "_prefetched_objects_cache") else _get(application.pk)
        return render_to_string("partners/review/_detail_body.html", {
            **_detail_context(request, full, bound), "csrf_placeholder": response_cache.CSRF_PLACEHOLDER})

    if bound or request.method != "GET":
        html = body()
    else:
        key = (f"detail|{application.pk}|{request.user.pk}|{translation.get_language()}|"
               f"{timezone.localdate().isoformat()}")
        html = response_cache.cached_value((response_cache.QUEUE, response_cache.DETAIL), key, body)
    html = html.replace(response_cache.CSRF_PLACEHOLDER, get_token(request))
    return render(request, "partners/review/detail.html", {
        "body": mark_safe(html), "org": application.organization, "application": application,  # noqa: S308
        **panel_context(request.user, application)}, status=status)


def panel_context(user, application) -> dict:
    """The expert panel, outside the kept body: scores change without changing the application."""
    from ..services import panel as panel_services

    if not can(user, "panel.aggregate") or not application.expert_assignments.exists():
        return {}
    return {"panel": panel_services.aggregate(application), "comments": panel_services.comments(application),
            "conflicts": panel_services.conflicts(application), "can_remove": bool(can(user, "panel.assign")),
            "assignments": application.expert_assignments.select_related("expert")}


@staff_view("queue.view")
def detail(request, pk):
    # Only what the page around the kept body needs; the body loads the rest when it is built.
    application = get_object_or_404(Application.objects.select_related("organization")
                                    .only("pk", "state", "submitted_at", "organization__name"), pk=pk)
    if never_submitted(application):
        raise Http404  # drafts belong to the applicant until submitted
    return _render_detail(request, application)


def _refused(request, application, bound, exc, status):
    messages.error(request, exc.message if hasattr(exc, "message") else str(exc))
    application = _get(application.pk)
    return _render_detail(request, application, bound, status=status)


@require_POST
@staff_view("queue.view")
def act(request, pk):
    """Fire one workflow action. `expected_state` makes the loser of a race see who decided first."""
    application = _get(pk)
    action = request.POST.get("action", "")
    form = action_form(action, application, request.POST)
    if form is None:
        messages.error(request, _g("Unknown action."))
        return _render_detail(request, application, status=400)
    # The expected state the person saw comes from the form, never from the database.
    expected = request.POST.get(f"{action}-expected_state", "")
    if not form.is_valid():
        if expected and expected != application.state:
            # Someone decided first: say who, rather than complain about this form's fields.
            try:
                review_services.fire(request.user, application, action, expected_state=expected)
            except workflow.TransitionError as exc:
                return _refused(request, application, {}, exc, STATUS_OF.get(exc.code, 400))
        messages.error(request, _g("Please correct the errors below."))
        return _render_detail(request, application, {action: form}, status=400)
    try:
        review_services.fire(request.user, application, action,
                             expected_state=form.cleaned_data["expected_state"], **form.inputs())
    except workflow.MissingInput as exc:
        form.add_error(None, exc.message)
        return _refused(request, application, {action: form}, exc, 400)
    except workflow.TransitionError as exc:
        return _refused(request, application, {}, exc, STATUS_OF.get(exc.code, 400))
    messages.success(request, _g("Done: %(action)s.") % {"action": workflow.TABLE[(form.cleaned_data[
        "expected_state"], action)].label})
    return redirect("review:detail", pk=application.pk)


@require_POST
@staff_view("application.note")
def add_note(request, pk):
    application = _get(pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            review_services.add_note(request.user, application, form.cleaned_data["body"])
        except ServiceError as exc:
            form.add_error("body", exc.message)
        else:
            messages.success(request, _g("Note added."))
            return redirect("review:detail", pk=application.pk)
    return _render_detail(request, application, {"note": form}, status=400)


@require_POST
@staff_view("application.assign")
def assign(request, pk):
    application = _get(pk)
    raw = request.POST.get("reviewer", "").strip()
    reviewer = None
    if raw:
        reviewer = reviewers().filter(pk=raw).first() if raw.isdigit() else None
        if reviewer is None:
            messages.error(request, _g("Choose a reviewer from the list."))
            return redirect("review:detail", pk=application.pk)
    try:
        changed = review_services.assign(request.user, [application.pk], reviewer)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        if changed:
            messages.success(request, _g("Assignment saved."))
        else:
            messages.warning(request, _g("Nothing changed: the application cannot be assigned to this person now."))
    return redirect("review:detail", pk=application.pk)


@require_POST
@staff_view("objection.resolve")
def resolve_objection(request, pk):
    objection = get_object_or_404(Objection.objects.select_related("application"), pk=pk)
    application = _get(objection.application_id)
    prefix = f"objection-{objection.pk}"
    form = ResolveObjectionForm(request.POST, prefix=prefix)
    if not form.is_valid():
        messages.error(request, _g("Please correct the errors below."))
        return _render_detail(request, application, {prefix: form}, status=400)
    try:
        review_services.resolve_objection(request.user, objection, uphold=form.cleaned_data["outcome"] == "uphold",
                                          resolution=form.cleaned_data["resolution"])
    except ServiceError as exc:
        return _refused(request, application, {prefix: form}, exc, STATUS_OF.get(exc.code, 400))
    messages.success(request, _g("Objection resolved."))
    return redirect("review:detail", pk=application.pk)


@staff_view("queue.view")
def attachment(request, pk, attachment_id):
    """Staff download of an attachment: always as a download, never rendered by the browser."""
    item = get_object_or_404(Attachment.objects.select_related("application"), pk=attachment_id, application_id=pk)
    if never_submitted(item.application):
        raise Http404  # a draft's files are the applicant's until they submit
    if not item.file or item.purged_at is not None:
        raise Http404
    try:
        handle = item.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    log_attachment_view(request, item)  # 等保 安全审计: every staff view of an applicant's file
    response = FileResponse(handle, as_attachment=True, filename=item.original_name,
                            content_type=item.content_type or "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"  # never kept by a shared proxy or the browser cache
    return response
