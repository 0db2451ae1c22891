"""Staff review use cases: assignment, first review, final review (four eyes), objections."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _g

from .. import workflow
from ..enums import ApplicationState, ObjectionState, PartnerType, Recommendation
from ..models import Application, Decision, InternalNote, Objection, ReviewMessage
from ..permissions import can, has_role
from .applications import ServiceError, require
from .audit import log_event
from .letters import render_letter


def assign(user, application_ids, reviewer):
    """Assign (or re-assign) applications to a reviewer; works on any number of ids at once."""
    require(can(user, "application.assign"))
    if reviewer is not None and not (has_role(reviewer, "reviewer") or has_role(reviewer, "administrator")):
        raise ServiceError(_g("%(who)s is not a reviewer.") % {"who": reviewer}, field="reviewer")
    ids = list(application_ids)
    changed = 0
    with transaction.atomic():
        for application in Application.objects.select_for_update().filter(
                pk__in=ids, state__in=ApplicationState.open_states()).exclude(state=ApplicationState.DRAFT):
            if reviewer is not None and reviewer.org_links.filter(organization=application.organization).exists():
                continue
            application.assigned_reviewer = reviewer
            application.assigned_at = timezone.now()
            application.save(update_fields=["assigned_reviewer", "assigned_at", "updated_at"])
            log_event("application.assigned", actor=user, application=application,
                      data={"reviewer": reviewer.email if reviewer else None})
            if reviewer is not None:
                from .notifications import record

                record("staff.application.assigned", recipient=reviewer, application=application,
                       context={"application_id": application.pk, "organization": application.organization.name},
                       dedupe_key=f"assigned:{application.pk}:{reviewer.pk}:{timezone.now().timestamp()}")
            changed += 1
    return changed


def add_note(user, application, body):
    require(can(user, "application.note", application))
    body = (body or "").strip()
    if not body:
        raise ServiceError(_g("The note is empty."), field="body")
    note = InternalNote.objects.create(application=application, author=user, body=body)
    log_event("application.note_added", actor=user, application=application)
    return note


def fire(user, application, action, **inputs):
    return workflow.fire(application.pk, action, workflow.Actor(user=user), **inputs)


@workflow.effect("start_review")
def _on_start(application, actor, inputs):
    if application.assigned_reviewer_id is None and actor.user is not None:
        application.assigned_reviewer = actor.user
        application.assigned_at = timezone.now()
    return {}


@workflow.effect("request_changes")
def _on_request_changes(application, actor, inputs):
    points = [p.strip() for p in inputs["points"] if p and p.strip()] if isinstance(inputs["points"], list) else [
        p.strip() for p in str(inputs["points"]).splitlines() if p.strip()]
    if not points:
        raise workflow.MissingInput(_g("List at least one point to change."), "points")
    ReviewMessage.objects.create(application=application, author=actor.user, action="request_changes",
                                 body=inputs["message"], points=points)
    return {"points": points}


@workflow.check("pass_to_final")
def _check_recommendations(application, actor, inputs):
    recs = inputs["recommendations"]
    requested = set(application.partner_types)
    if set(recs) != requested or any(v not in Recommendation.values for v in recs.values()):
        raise workflow.MissingInput(
            _g("Give a recommendation (grant or decline) for each requested partner type."), "recommendations")


@workflow.effect("pass_to_final")
def _on_pass(application, actor, inputs):
    recs = inputs["recommendations"]
    for rt in application.requested_types.all():
        rt.recommendation = recs[rt.partner_type]
        rt.save(update_fields=["recommendation"])
    application.first_reviewed_by = actor.user
    Decision.objects.create(application=application, level=Decision.Level.FIRST, action="pass_to_final",
                            actor=actor.user, per_type=recs, reason=inputs.get("message", ""))
    if inputs.get("message"):
        InternalNote.objects.create(application=application, author=actor.user, body=inputs["message"])
    return {"recommendations": recs}


@workflow.effect("reject")
def _on_reject(application, actor, inputs):
    level = Decision.Level.FINAL if application.state == ApplicationState.FINAL_REVIEW else Decision.Level.FIRST
    if level == Decision.Level.FIRST:
        application.first_reviewed_by = actor.user
    else:
        application.final_decided_by = actor.user
    application.decided_at = timezone.now()
    application.requested_types.update(is_open=False, granted=False)
    subject, body = render_letter("rejected", application, reason=inputs["message"])
    Decision.objects.create(application=application, level=level, action="reject", actor=actor.user,
                            per_type={t: "declined" for t in application.partner_types}, reason=inputs["message"],
                            letter_subject=subject, letter_body=body)
    ReviewMessage.objects.create(application=application, author=actor.user, action="reject", body=inputs["message"])
    return {"reason": inputs["message"], "letter_subject": subject}


@workflow.check("approve")
@workflow.check("return_to_review")
@workflow.check("uphold_objection")
def _check_four_eyes(application, actor, inputs):
    # Checked again under the row lock: the permission check before it may have read stale data.
    if actor.user is not None and application.first_reviewed_by_id == actor.user.pk:
        raise workflow.TransitionError(
            _g("An approver cannot decide an application they reviewed at first review (four eyes)."),
            code="four_eyes")


@workflow.effect("approve")
def _on_approve(application, actor, inputs):
    granted = list(dict.fromkeys(inputs["granted_types"]))
    requested = set(application.partner_types)
    if not set(granted) <= requested or any(t not in PartnerType.values for t in granted):
        raise workflow.MissingInput(_g("Only the partner types requested can be granted."), "granted_types")
    for rt in application.requested_types.all():
        rt.granted = rt.partner_type in granted
        rt.save(update_fields=["granted"])
    application.final_decided_by = actor.user
    application.decided_at = timezone.now()
    application.publicity_ends_at = timezone.now() + timezone.timedelta(days=settings.PUBLICITY_DAYS)
    subject, body = render_letter("approved", application, granted=granted)
    Decision.objects.create(
        application=application, level=Decision.Level.FINAL, action="approve", actor=actor.user,
        per_type={t: ("granted" if t in granted else "declined") for t in application.partner_types},
        reason=inputs.get("message", ""), letter_subject=subject, letter_body=body)
    return {"granted_types": granted, "publicity_ends_at": application.publicity_ends_at.isoformat(),
            "letter_subject": subject}


@workflow.effect("return_to_review")
def _on_return(application, actor, inputs):
    InternalNote.objects.create(application=application, author=actor.user, body=inputs["message"])
    Decision.objects.create(application=application, level=Decision.Level.FINAL, action="return_to_review",
                            actor=actor.user, reason=inputs["message"])
    return {}


@workflow.effect("uphold_objection")
def _on_uphold(application, actor, inputs):
    application.publicity_ends_at = None
    application.requested_types.update(granted=None)
    return {"objection": inputs.get("objection_id")}


def file_objection(application, *, name, contact, reason, ip=None):
    """Anyone may object during the public notice period."""
    name, contact, reason = (name or "").strip(), (contact or "").strip(), (reason or "").strip()
    if not (name and contact and reason):
        raise ServiceError(_g("Name, contact and reason are all required."))
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.state != ApplicationState.PUBLICITY:
            raise ServiceError(_g("This application is not in its public notice period."), code="closed")
        objection = Objection.objects.create(application=application, name=name[:50], contact=contact[:100],
                                             reason=reason[:5000], source_ip=ip)
        log_event("objection.filed", application=application, data={"objection": objection.pk})
        from .notifications import record, staff_with_role

        for person in staff_with_role("approver"):
            record("staff.objection.filed", recipient=person, application=application,
                   context={"application_id": application.pk, "organization": application.organization.name},
                   dedupe_key=f"objection:{objection.pk}:{person.pk}")
    return objection


def resolve_objection(user, objection, *, uphold: bool, resolution: str):
    require(can(user, "objection.resolve", objection))
    resolution = (resolution or "").strip()
    if not resolution:
        raise ServiceError(_g("Explain the resolution."), field="resolution")
    with transaction.atomic():
        objection = Objection.objects.select_for_update().get(pk=objection.pk)
        if objection.state != ObjectionState.OPEN:
            raise ServiceError(_g("This objection was already resolved."), code="conflict")
        objection.state = ObjectionState.UPHELD if uphold else ObjectionState.DISMISSED
        objection.resolution = resolution
        objection.resolved_by = user
        objection.resolved_at = timezone.now()
        objection.save()
        log_event(f"objection.{objection.state}", actor=user, application=objection.application,
                  data={"objection": objection.pk})
        if uphold:
            workflow.fire(objection.application_id, "uphold_objection", workflow.Actor(user=user),
                          message=resolution, objection_id=objection.pk)
    return objection
