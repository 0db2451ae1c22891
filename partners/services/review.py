"""Staff review use cases: assignment, first review, final review (four eyes), objections."""

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _g

from .. import workflow
from ..enums import ApplicationState, ObjectionState, PartnerType, Recommendation
from ..models import Application, AuditEvent, Decision, InternalNote, Objection, ReviewMessage
from ..permissions import can, has_role
from .applications import ServiceError, require
from .audit import log_event
from .letters import render_letter

TEXT_LIMIT = 5000
# Audit codes of the first-level steps: whoever fired one of them "reviewed at first review".
FIRST_LEVEL_CODES = ("application.review_started", "application.changes_requested", "application.passed_to_final")
ASSIGN_BATCH = 500
OBJECTION_LIMIT = 5  # objections per IP per hour
OBJECTION_WINDOW = 3600


def _text(value, label, field, *, required=True, limit=TEXT_LIMIT):
    value = (value or "").strip() if isinstance(value, str) else value
    if required and not value:
        raise workflow.MissingInput(_g("This action needs: %(field)s.") % {"field": label}, field)
    if isinstance(value, str) and len(value) > limit:
        raise workflow.MissingInput(
            _g("%(field)s is too long: at most %(limit)d characters.") % {"field": label, "limit": limit}, field)
    return value


def _batches(ids, size=ASSIGN_BATCH):
    ids = list(dict.fromkeys(ids))
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def assign(user, application_ids, reviewer):
    """Assign (or re-assign, or with None un-assign) applications to a reviewer; any number of ids at once.

    Returns how many applications changed. Drafts and decided applications are skipped, and so are
    applications of an organisation the reviewer acts for (they may not review their own).
    """
    require(can(user, "application.assign"))
    if reviewer is not None and not (has_role(reviewer, "reviewer") or has_role(reviewer, "administrator")):
        raise ServiceError(_g("%(who)s is not a reviewer.") % {"who": reviewer}, field="reviewer")
    own_orgs = set(reviewer.org_links.values_list("organization_id", flat=True)) if reviewer is not None else set()
    changed = 0
    now = timezone.now()
    assignable = [s for s in ApplicationState.open_states() if s != ApplicationState.DRAFT]
    # Batches keep the IN lists under SQLite's variable limit and the lock set small.
    for batch in _batches(application_ids):
        with transaction.atomic():
            rows = (Application.objects.select_for_update().filter(pk__in=batch, state__in=assignable)
                    .select_related("organization").order_by("pk"))
            for application in rows:
                if application.organization_id in own_orgs:
                    continue
                if application.assigned_reviewer_id == (reviewer.pk if reviewer else None):
                    continue
                previous = application.assigned_reviewer_id
                application.assigned_reviewer = reviewer
                application.assigned_at = now if reviewer is not None else None
                application.save(update_fields=["assigned_reviewer", "assigned_at", "updated_at"])
                log_event("application.assigned", actor=user, application=application,
                          data={"reviewer": reviewer.pk if reviewer else None, "previous": previous})
                if reviewer is not None and reviewer.pk != getattr(user, "pk", None):
                    from .notifications import record

                    record("staff.application.assigned", recipient=reviewer, application=application,
                           context={"application_id": application.pk,
                                    "organization": application.organization.name},
                           dedupe_key=f"assigned:{application.pk}:{reviewer.pk}:{now.timestamp()}")
                changed += 1
    return changed


def add_note(user, application, body):
    """An internal note among staff; never shown to the applicant."""
    require(can(user, "application.note", application))
    body = (body or "").strip()
    if not body:
        raise ServiceError(_g("The note is empty."), field="body")
    if len(body) > TEXT_LIMIT:
        raise ServiceError(_g("The note is too long: at most %(limit)d characters.") % {"limit": TEXT_LIMIT},
                           field="body")
    with transaction.atomic():
        note = InternalNote.objects.create(application=application, author=user, body=body)
        log_event("application.note_added", actor=user, application=application, data={"note": note.pk})
    return note


def fire(user, application, action, **inputs):
    return workflow.fire(application.pk, action, workflow.Actor(user=user), **inputs)


def took_part_in_first_review(user, application) -> bool:
    """Did this person review the application at 初审 (in any round)? Such a person may not decide 复审."""
    if user is None or getattr(user, "pk", None) is None:
        return False
    if application.first_reviewed_by_id == user.pk:
        return True
    return AuditEvent.objects.filter(application_id=application.pk, actor_id=user.pk,
                                     action__in=FIRST_LEVEL_CODES).exists()


@workflow.effect("start_review")
def _on_start(application, actor, inputs):
    if application.assigned_reviewer_id is None and actor.user is not None:
        application.assigned_reviewer = actor.user
        application.assigned_at = timezone.now()
    return {}


def _points(raw):
    if isinstance(raw, (list, tuple)):
        items = [str(p) for p in raw]
    else:
        items = str(raw or "").splitlines()
    points = [p.strip() for p in items if p and p.strip()]
    if not points:
        raise workflow.MissingInput(_g("List at least one point to change."), "points")
    if len(points) > 50 or any(len(p) > 1000 for p in points):
        raise workflow.MissingInput(_g("At most 50 points of at most 1,000 characters each."), "points")
    return points


@workflow.check("request_changes")
def _check_request_changes(application, actor, inputs):
    inputs["message"] = _text(inputs.get("message"), _g("a message"), "message")
    inputs["points"] = _points(inputs.get("points"))


@workflow.effect("request_changes")
def _on_request_changes(application, actor, inputs):
    points = inputs["points"]
    if application.first_reviewed_by_id is None:
        application.first_reviewed_by = actor.user
    ReviewMessage.objects.create(application=application, author=actor.user, action="request_changes",
                                 body=inputs["message"], points=points)
    subject, body = render_letter("changes_requested", application, reason=inputs["message"], points=points)
    Decision.objects.create(application=application, level=Decision.Level.FIRST, action="request_changes",
                            actor=actor.user, reason=inputs["message"], per_type={},
                            letter_subject=subject, letter_body=body)
    return {"points": points, "letter_subject": subject}


@workflow.check("pass_to_final")
def _check_recommendations(application, actor, inputs):
    recs = inputs["recommendations"]
    requested = set(application.partner_types)
    if (not isinstance(recs, dict) or set(recs) != requested
            or any(v not in Recommendation.values for v in recs.values())):
        raise workflow.MissingInput(
            _g("Give a recommendation (grant or decline) for each requested partner type."), "recommendations")
    _text(inputs.get("message"), _g("a message"), "message", required=False)
    cite = inputs.get("cite_panel")
    if cite not in (None, True, False, "", "true", "false", "1", "0", "on"):
        raise workflow.MissingInput(_g("Say whether the recommendation cites the expert panel."), "cite_panel")
    inputs["panel_citation"] = {}
    if cite in (True, "true", "1", "on"):
        from .panel import citation

        inputs["panel_citation"] = citation(application)
        if not inputs["panel_citation"]:
            raise workflow.MissingInput(
                _g("The expert panel can be cited once at least one expert has submitted scores."), "cite_panel")


@workflow.effect("pass_to_final")
def _on_pass(application, actor, inputs):
    recs = inputs["recommendations"]
    for rt in application.requested_types.all():
        rt.recommendation = recs[rt.partner_type]
        rt.save(update_fields=["recommendation"])
    application.first_reviewed_by = actor.user
    message = (inputs.get("message") or "").strip()
    cited = inputs.get("panel_citation") or {}
    Decision.objects.create(application=application, level=Decision.Level.FIRST, action="pass_to_final",
                            actor=actor.user, per_type=recs, reason=message, panel=cited)
    if message:
        InternalNote.objects.create(application=application, author=actor.user, body=message)
    return {"recommendations": recs, "cites_panel": bool(cited)}


@workflow.check("reject")
def _check_reject(application, actor, inputs):
    inputs["message"] = _text(inputs.get("message"), _g("a reason"), "message")
    if application.state == ApplicationState.FINAL_REVIEW:
        _check_four_eyes(application, actor, inputs)


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
    return {"reason": inputs["message"], "letter_subject": subject, "level": level}


def _check_four_eyes(application, actor, inputs):
    # Checked again under the row lock: the permission check before it may have read stale data.
    if took_part_in_first_review(actor.user, application):
        raise workflow.TransitionError(
            _g("An approver cannot decide an application they reviewed at first review (four eyes)."),
            code="four_eyes")


@workflow.check("approve")
def _check_approve(application, actor, inputs):
    _check_four_eyes(application, actor, inputs)
    inputs["message"] = _text(inputs.get("message"), _g("a message"), "message", required=False)


@workflow.check("return_to_review")
@workflow.check("uphold_objection")
def _check_final_with_message(application, actor, inputs):
    _check_four_eyes(application, actor, inputs)
    inputs["message"] = _text(inputs.get("message"), _g("a message"), "message")


@workflow.effect("approve")
def _on_approve(application, actor, inputs):
    raw = inputs["granted_types"]
    if isinstance(raw, str):
        raw = [raw]
    granted = list(dict.fromkeys(str(t) for t in raw))
    requested = set(application.partner_types)
    if not granted or not set(granted) <= requested or any(t not in PartnerType.values for t in granted):
        raise workflow.MissingInput(_g("Only the partner types requested can be granted."), "granted_types")
    from .calls import quota_refusal

    refusal = quota_refusal(application, granted)
    if refusal:
        raise workflow.TransitionError(refusal, code="quota_reached")
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
        reason=inputs.get("message", "") or "", letter_subject=subject, letter_body=body)
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
    Decision.objects.create(application=application, level=Decision.Level.FINAL, action="uphold_objection",
                            actor=actor.user, reason=inputs.get("message", ""))
    return {"objection": inputs.get("objection_id")}


def objection_throttled(ip) -> bool:
    """True when this address has filed its hourly allowance of objections already."""
    if not ip:
        return False
    return (cache.get(f"objections:{ip}") or 0) >= OBJECTION_LIMIT


def _count_objection(ip):
    if not ip:
        return
    key = f"objections:{ip}"
    if cache.add(key, 1, OBJECTION_WINDOW):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, OBJECTION_WINDOW)


MAX_EVIDENCE = 5  # files per objection


def file_objection(application, *, name, contact, reason, ip=None, email="", files=()):
    """Anyone may object during the public notice period (throttled per IP address).

    The objector gets a reference number; when they leave an e-mail address (or their contact is one) the
    reference, and later the outcome, are mailed through the outbox. Evidence files pass the upload checks.
    """
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    from .uploads import check_file, store_evidence

    name, contact, reason = (name or "").strip(), (contact or "").strip(), (reason or "").strip()
    email = (email or "").strip().lower()
    if not (name and contact and reason):
        raise ServiceError(_g("Name, contact and reason are all required."))
    for value, limit, field in ((name, 50, "name"), (contact, 100, "contact"), (reason, TEXT_LIMIT, "reason"),
                                (email, 254, "email")):
        if len(value) > limit:
            raise ServiceError(_g("Too long: at most %(limit)d characters.") % {"limit": limit}, field=field)
    if not email and "@" in contact:
        try:
            validate_email(contact)
            email = contact.lower()
        except ValidationError:
            pass
    files = list(files or [])
    if len(files) > MAX_EVIDENCE:
        raise ServiceError(_g("At most %(n)d evidence files can be attached.") % {"n": MAX_EVIDENCE},
                           field="evidence")
    for uploaded in files:  # every file is checked before anything is stored
        check_file(uploaded)
    if objection_throttled(ip):
        raise ServiceError(_g("Too many objections from your address. Please try again in an hour."),
                           code="throttled")
    with transaction.atomic():
        application = Application.objects.select_for_update().select_related("organization").get(pk=application.pk)
        if application.state != ApplicationState.PUBLICITY or (
                application.publicity_ends_at and application.publicity_ends_at <= timezone.now()):
            raise ServiceError(_g("This application is not in its public notice period."), code="closed")
        objection = Objection.objects.create(application=application, name=name, contact=contact, email=email,
                                             reason=reason, source_ip=ip)
        for uploaded in files:
            store_evidence(objection, uploaded)
        log_event("objection.filed", actor=workflow.Actor(ip=ip), application=application,
                  data={"objection": objection.pk, "reference": objection.reference, "evidence": len(files)})
        from .notifications import record, staff_with_role

        for person in staff_with_role("approver"):
            record("staff.objection.filed", recipient=person, application=application,
                   context={"application_id": application.pk, "organization": application.organization.name,
                            "reference": objection.reference},
                   dedupe_key=f"objection:{objection.pk}:{person.pk}")
        if objection.email:
            record("objection.received", email=objection.email, language=translation.get_language(),
                   context={"reference": objection.reference, "organization": application.organization.name},
                   dedupe_key=f"objection.received:{objection.pk}")
    _count_objection(ip)
    return objection


def _tell_objector(objection):
    """The objector learns the outcome (upheld or dismissed) by e-mail, quoting their reference number."""
    if not objection.email:
        return None
    from ..models import Notification
    from .notifications import record

    # In the language the objector filed in (kept with the receipt mail).
    language = (Notification.objects.filter(dedupe_key=f"objection.received:{objection.pk}")
                .values_list("language", flat=True).first())
    return record("objection.resolved", email=objection.email, language=language,
                  context={"reference": objection.reference, "outcome": objection.state,
                           "organization": objection.application.organization.name},
                  dedupe_key=f"objection.resolved:{objection.pk}")


def resolve_objection(user, objection, *, uphold: bool, resolution: str):
    """Dismiss an objection, or uphold it and send the application back to 复审 (one transaction)."""
    require(can(user, "objection.resolve", objection))
    resolution = (resolution or "").strip()
    if not resolution:
        raise ServiceError(_g("Explain the resolution."), field="resolution")
    if len(resolution) > TEXT_LIMIT:
        raise ServiceError(_g("Too long: at most %(limit)d characters.") % {"limit": TEXT_LIMIT},
                           field="resolution")
    if took_part_in_first_review(user, objection.application):
        # Dismissing leads to admission: a final-level decision, so four eyes apply to both outcomes.
        raise ServiceError(
            _g("An approver cannot decide an application they reviewed at first review (four eyes)."),
            code="four_eyes")
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
        _tell_objector(objection)
        if uphold:
            try:
                workflow.fire(objection.application_id, "uphold_objection", workflow.Actor(user=user),
                              message=resolution, objection_id=objection.pk,
                              expected_state=ApplicationState.PUBLICITY)
            except workflow.TransitionError as exc:
                raise ServiceError(exc.message, code=exc.code) from exc
    return objection
