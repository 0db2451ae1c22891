"""Applicant portal: home, "my applications", one application's page, and its workflow actions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from .. import workflow
from ..enums import ApplicationState, JoinRequestState, OrgRole
from ..forms.application import ActionForm, WithdrawForm
from ..models import Application, AuditEvent, JoinRequest, Organization, ReviewMessage
from ..permissions import can, is_staff_member, org_role
from ..services import applications as app_services
from ..services.applications import ServiceError

EVENT_LABELS = {
    "application.created": _("Draft started"),
    "application.submitted": _("Submitted"),
    "application.review_started": _("First review started"),
    "application.changes_requested": _("Changes requested"),
    "application.resubmitted": _("Resubmitted"),
    "application.passed_to_final": _("Passed to final review"),
    "application.rejected": _("Rejected"),
    "application.approved": _("Approved for public notice"),
    "application.objection_upheld": _("Objection upheld; back to final review"),
    "application.admitted": _("Admitted to the plan"),
    "application.withdrawn": _("Withdrawn"),
}

# A refused action answers with the status that says why.
STATUS_OF_CODE = {"forbidden": 403, "conflict": 409, "invalid_transition": 409, "required": 400,
                  "incomplete": 400, "locked": 409, "documents_missing": 400}


def my_applications(user):
    """Applications of the organisations this person acts for (the only ones they may learn exist)."""
    return Application.objects.filter(organization__memberships_of_people__user=user).distinct()


def get_my_application(user, pk):
    """404, never 403, for another organisation's application: its id must not be confirmed."""
    return get_object_or_404(my_applications(user).select_related("organization"), pk=pk)


def my_organizations(user):
    return Organization.objects.filter(memberships_of_people__user=user).distinct()


@login_required
def home(request):
    organizations = list(my_organizations(request.user))
    pending = JoinRequest.objects.filter(user=request.user, state=JoinRequestState.PENDING).select_related(
        "organization")
    from ..services.invitations import pending_for

    invitations = list(pending_for(request.user))
    from ..enums import VerificationState
    from ..models import VerificationCase

    verification_cases = list(VerificationCase.objects.filter(
        claimant=request.user, state__in=VerificationState.open_states()).select_related("organization"))
    if not organizations and not pending.exists() and not invitations and not verification_cases:
        if is_staff_member(request.user):
            return redirect("review:dashboard")  # staff act for no organisation; their work is elsewhere
        messages.info(request, _g("First tell us which organisation you act for."))
        return redirect("portal:claim")
    applications = (my_applications(request.user).select_related("organization")
                    .prefetch_related("requested_types").order_by("-updated_at"))
    owned = [o for o in organizations if org_role(request.user, o) == OrgRole.OWNER]
    join_requests = JoinRequest.objects.filter(organization__in=owned, state=JoinRequestState.PENDING).count()
    return render(request, "partners/portal/home.html", {
        "organizations": organizations, "applications": applications, "pending_requests": pending,
        "join_requests_waiting": join_requests, "invitations": invitations,
        "verification_cases": verification_cases,
    })


@login_required
@require_POST
def application_new(request):
    organization = get_object_or_404(my_organizations(request.user), pk=request.POST.get("organization") or 0)
    try:
        application = app_services.create_draft(request.user, organization)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("portal:home")
    messages.success(request, _g("A new draft was started. You can save each step and come back later."))
    return redirect("portal:step", pk=application.pk, step="organization")


def timeline(application):
    """Only the events the applicant may see; staff appear as the plan office, never by name."""
    people = set(application.organization.memberships_of_people.values_list("user_id", flat=True))
    rows = []
    events = AuditEvent.objects.filter(application=application, visible_to_applicant=True).select_related("actor")
    for event in events.order_by("id"):
        data = event.data or {}
        rows.append({
            "at": event.created_at,
            "label": EVENT_LABELS.get(event.action, event.action),
            "who": event.who if event.actor_id in people else _g("Plan office"),
            "state": ApplicationState(event.to_state).label if event.to_state in ApplicationState.values else "",
            "reason": data.get("reason", "") if event.action == "application.withdrawn" else "",
            "revision": data.get("revision"),
        })
    return rows


def resume_step(application):
    from .portal_wizard import STEP_KEYS

    return STEP_KEYS[min(max(application.wizard_step, 1), len(STEP_KEYS)) - 1]


def detail_context(request, application, **extra):
    from .portal_letters import letters_of, membership_of, publicity_period

    actions = workflow.available_actions(application, request.user)
    ctx = {
        "application": application,
        "timeline": timeline(application),
        "review_messages": ReviewMessage.objects.filter(application=application).order_by("created_at"),
        "actions": actions,
        "can_withdraw": any(t.action == "withdraw" for t in actions),
        "can_submit": any(t.action in ("submit", "resubmit") for t in actions),
        "editable": bool(can(request.user, "application.edit", application)),
        "resume_step": resume_step(application),
        "withdraw_form": WithdrawForm(initial={"expected_state": application.state}),
        "attachments": application.attachments.filter(purged_at__isnull=True),
        "revisions": application.revisions.order_by("number"),
        "latest_request": ReviewMessage.objects.filter(application=application, action="request_changes")
        .order_by("-created_at").first(),
        "letters": letters_of(application),
        "membership": membership_of(application),
        "publicity": publicity_period(application),
    }
    ctx.update(extra)
    return ctx


@login_required
def application_detail(request, pk):
    application = get_my_application(request.user, pk)
    return render(request, "partners/portal/application_detail.html", detail_context(request, application))


def refuse(request, application, message, status=409, **extra):
    """Show the application page again with the reason, and a status that says it was refused."""
    application.refresh_from_db()
    ctx = detail_context(request, application, refusal=message, **extra)
    return render(request, "partners/portal/application_detail.html", ctx, status=status)


@login_required
@require_POST
def application_action(request, pk, action):
    """Fire a workflow action from a button; the displayed state travels along as `expected_state`."""
    application = get_my_application(request.user, pk)
    if action not in workflow.ACTIONS:
        raise Http404
    form = (WithdrawForm if action == "withdraw" else ActionForm)(request.POST)
    if not form.is_valid():
        message = " ".join(str(e) for errors in form.errors.values() for e in errors)
        return refuse(request, application, message, status=400, withdraw_form=form
                      if action == "withdraw" else WithdrawForm(initial={"expected_state": application.state}))
    inputs = {"expected_state": form.cleaned_data["expected_state"]}
    if action == "withdraw":
        inputs["reason"] = form.cleaned_data["reason"]
    try:
        app_services.fire_action(request.user, application, action, **inputs)
    except workflow.TransitionError as exc:
        if getattr(exc, "errors", None):
            return redirect_to_first_error(request, application, exc.errors)
        return refuse(request, application, exc.message, status=STATUS_OF_CODE.get(exc.code, 409))
    done = {"withdraw": _g("The application was withdrawn."), "submit": _g("The application was submitted."),
            "resubmit": _g("The application was resubmitted.")}
    messages.success(request, done.get(action, _g("Done.")))
    return redirect("portal:application", pk=application.pk)


def redirect_to_first_error(request, application, errors):
    """Complete validation failed: go to the first step with an error and list every problem there."""
    from .portal_wizard import STEP_KEYS

    first = next(step for step in STEP_KEYS if step in errors)
    for message in errors[first]:
        messages.error(request, message)
    others = sum(len(v) for k, v in errors.items() if k != first)
    if others:
        messages.warning(request, _g("%(n)d more problems are listed on the review page.") % {"n": others})
    return redirect("portal:step", pk=application.pk, step=first)
