"""Admission after the public notice, member numbers, and the member's lifecycle (suspend, revoke)."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _g

from .. import workflow
from ..enums import ApplicationState, MembershipState, ObjectionState
from ..models import Application, MemberNumberCounter, Membership, MembershipGrant
from ..permissions import can
from .applications import ServiceError, require
from .audit import log_event


def allocate_member_number(year=None) -> str:
    """Next number of the year, e.g. BJAI-2026-00042; the locked counter row makes it unique."""
    year = year or timezone.localdate().year
    with transaction.atomic():
        counter = MemberNumberCounter.objects.select_for_update().filter(year=year).first()
        if counter is None:
            try:
                with transaction.atomic():
                    MemberNumberCounter.objects.create(year=year, last=0)
            except IntegrityError:
                pass  # another transaction created it first; lock theirs
            counter = MemberNumberCounter.objects.select_for_update().get(year=year)
        counter.last += 1
        counter.save(update_fields=["last"])
    return f"{settings.MEMBER_NUMBER_PREFIX}-{year}-{counter.last:05d}"


@workflow.check("admit")
def _check_no_open_objection(application, actor, inputs):
    if application.objections.filter(state__in=[ObjectionState.OPEN, ObjectionState.UPHELD]).exists():
        raise workflow.TransitionError(_g("An objection is open; the application cannot be admitted yet."),
                                       code="objection_open")


@workflow.effect("admit")
def _on_admit(application, actor, inputs):
    org = application.organization
    now = timezone.now()
    membership = Membership.objects.select_for_update().filter(organization=org).first()
    created = membership is None
    if created:
        membership = Membership.objects.create(organization=org, number=allocate_member_number(),
                                               admitted_at=now)
    granted = [rt.partner_type for rt in application.requested_types.all() if rt.granted]
    for t in granted:
        MembershipGrant.objects.update_or_create(
            membership=membership, partner_type=t,
            defaults={"application": application, "granted_on": timezone.localdate(), "ends_on": None})
    application.requested_types.update(is_open=False)
    return {"member_number": membership.number, "granted_types": granted, "new_member": created}


def admit_due_applications(now=None) -> int:
    """The periodic end of public notice: admit every application whose period ended with no objection."""
    now = now or timezone.now()
    due = Application.objects.filter(state=ApplicationState.PUBLICITY, publicity_ends_at__lte=now).exclude(
        objections__state__in=[ObjectionState.OPEN, ObjectionState.UPHELD]).values_list("pk", flat=True)
    admitted = 0
    for pk in list(due):
        try:
            workflow.fire(pk, "admit", workflow.Actor(system=True), expected_state=ApplicationState.PUBLICITY)
            admitted += 1
        except workflow.TransitionError:
            continue
    return admitted


def _change_state(user, membership, new_state, reason, allowed_from, code):
    require(can(user, "membership.change", membership))
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_g("A reason is required."), field="reason")
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        if membership.state not in allowed_from:
            raise ServiceError(_g("This member is “%(state)s”; that change is not possible.")
                               % {"state": MembershipState(membership.state).label}, code="conflict")
        old = membership.state
        membership.state = new_state
        membership.state_reason = reason
        membership.save(update_fields=["state", "state_reason", "updated_at"])
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
