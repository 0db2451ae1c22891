"""Admission after the public notice, member numbers, and the member's lifecycle (suspend, revoke)."""

import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _g

from .. import workflow
from ..enums import ApplicationState, MembershipState, ObjectionState
from ..models import (
    Application,
    Decision,
    MemberNumberCounter,
    Membership,
    MembershipGrant,
    Objection,
)
from ..permissions import can
from .applications import ServiceError, require
from .audit import log_event
from .counters import next_in_year
from .letters import render_letter

log = logging.getLogger(__name__)
REASON_LIMIT = 2000


def allocate_member_number(year=None) -> str:
    """Next number of the year, e.g. BJAI-2026-00042; the locked counter row makes it unique.

    Called inside the admission transaction, the counter row stays locked until that commits, so two
    admissions never read the same `last`.
    """
    year = year or timezone.localdate().year
    # No savepoint of its own: a failure here fails the admission around it anyway.
    with transaction.atomic(savepoint=False):
        number = next_in_year(MemberNumberCounter, year)
    return f"{settings.MEMBER_NUMBER_PREFIX}-{year}-{number:05d}"


def publicity_started_at(application):
    """When the current public notice period began: the latest approval."""
    return _latest_approval(application).values_list("created_at", flat=True).first()


def _latest_approval(application):
    return Decision.objects.filter(application=application, action="approve").order_by("-created_at", "-pk")


def blocking_objections(application):
    """Objections that stop admission: any still open, and any upheld in the current notice period.

    An objection upheld in an earlier period already sent the application back to 复审; once it is
    approved again, that old objection must not block it forever. One query: the period's start is a subquery.
    """
    started = _latest_approval(application).values("created_at")[:1]
    upheld_now = Q(state=ObjectionState.UPHELD) & (Q(created_at__gte=Subquery(started)) | ~Exists(started))
    return Objection.objects.filter(Q(state=ObjectionState.OPEN) | upheld_now, application=application)


@workflow.check("admit")
def _check_no_open_objection(application, actor, inputs):
    if blocking_objections(application).exists():
        raise workflow.TransitionError(_g("An objection is open; the application cannot be admitted yet."),
                                       code="objection_open")


@workflow.effect("admit")
def _on_admit(application, actor, inputs):
    # The organisation is locked with the application (workflow/application.py): two of its applications admitted
    # at once must share one membership.
    org = application.organization
    now = timezone.now()
    membership = Membership.objects.select_for_update().filter(organization=org).first()
    created = membership is None
    reactivated = False
    if created:
        membership = Membership.objects.create(organization=org, number=allocate_member_number(),
                                               admitted_at=now)
    elif membership.state == MembershipState.REVOKED:
        # A revoked member admitted again keeps its number and becomes active.
        membership.state = MembershipState.ACTIVE
        membership.state_reason = ""
        membership.admitted_at = now
        membership.save(update_fields=["state", "state_reason", "admitted_at", "updated_at"])
        reactivated = True
    granted = [rt.partner_type for rt in application.requested_types.all() if rt.granted]
    # The membership is locked (or new): its grants are read once and each granted type updated or created, as
    # update_or_create would, without its two savepoints per type.
    held = {} if created else {g.partner_type: g for g in membership.grants.filter(partner_type__in=granted)}
    today = timezone.localdate()
    for t in granted:
        grant = held.get(t)
        if grant is None:
            MembershipGrant.objects.create(membership=membership, partner_type=t, application=application,
                                           granted_on=today, ends_on=None)
        else:
            grant.application, grant.granted_on, grant.ends_on = application, today, None
            grant.save(update_fields=["application", "granted_on", "ends_on"])
    application.requested_types.update(is_open=False)
    subject, body = render_letter("admitted", application, granted=granted, member_number=membership.number)
    Decision.objects.create(application=application, level=Decision.Level.FINAL, action="admit", actor=None,
                            per_type={t: "granted" for t in granted}, letter_subject=subject, letter_body=body)
    return {"member_number": membership.number, "granted_types": granted, "new_member": created,
            "reactivated": reactivated}


def admit_due_applications(now=None) -> int:
    """The periodic end of public notice: admit every application whose period ended with no objection."""
    now = now or timezone.now()
    due = (Application.objects.filter(state=ApplicationState.PUBLICITY, publicity_ends_at__lte=now)
           .exclude(objections__state=ObjectionState.OPEN).values_list("pk", flat=True))
    admitted = 0
    for pk in list(due):
        try:
            workflow.fire(pk, "admit", workflow.Actor(system=True), expected_state=ApplicationState.PUBLICITY)
            admitted += 1
        except workflow.TransitionError:
            continue
        except Exception:  # one broken application must not stop the admission of the others
            log.exception("Admission of application %s failed", pk)
    return admitted


def _change_state(user, membership, new_state, reason, allowed_from, code):
    require(can(user, "membership.change", membership))
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_g("A reason is required."), field="reason")
    if len(reason) > REASON_LIMIT:
        raise ServiceError(_g("The reason is too long: at most %(limit)d characters.") % {"limit": REASON_LIMIT},
                           field="reason")
    with transaction.atomic():
        membership = Membership.objects.select_for_update().select_related("organization").get(pk=membership.pk)
        if membership.state not in allowed_from:
            raise ServiceError(_g("This member is “%(state)s”; that change is not possible.")
                               % {"state": MembershipState(membership.state).label}, code="conflict")
        old = membership.state
        membership.state = new_state
        membership.state_reason = reason
        fields = ["state", "state_reason", "updated_at"]
        if new_state == MembershipState.REVOKED:
            # Dated for the public list of revocations (directory.revoked_members), which shows the reason.
            membership.revoked_at = timezone.now()
            fields.append("revoked_at")
        membership.save(update_fields=fields)
        if new_state == MembershipState.REVOKED:
            # Revocation ends every grant, so the organisation may apply afresh later.
            membership.grants.filter(ends_on__isnull=True).update(ends_on=timezone.localdate())
        log_event(code, actor=user, organization=membership.organization,
                  from_state=old, to_state=new_state, data={"reason": reason, "member": membership.number},
                  visible_to_applicant=True)
    return membership


def suspend(user, membership, reason):
    return _change_state(user, membership, MembershipState.SUSPENDED, reason, [MembershipState.ACTIVE],
                         "member.suspended")


def reinstate(user, membership, reason):
    return _change_state(user, membership, MembershipState.ACTIVE, reason, [MembershipState.SUSPENDED],
                         "member.reinstated")


def revoke(user, membership, reason):
    return _change_state(user, membership, MembershipState.REVOKED, reason,
                         [MembershipState.ACTIVE, MembershipState.SUSPENDED], "member.revoked")


def member_history(membership):
    """Everything that happened to the member: admissions, grants and state changes, oldest first."""
    from ..models import AuditEvent

    return (AuditEvent.objects.filter(organization_id=membership.organization_id,
                                      action__in=["application.admitted", "member.imported", "member.suspended",
                                                  "member.reinstated", "member.revoked",
                                                  "member.key_enterprise_set"])
            .select_related("actor").order_by("id"))
