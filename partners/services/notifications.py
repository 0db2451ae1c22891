"""Recording notifications in the outbox, in the transaction of the change; sending happens after commit.

`record()` is the one way in. It honours the recipient's preferences (non-essential kinds can be turned
off or held for the daily digest), writes one row per dedupe key, cancels superseded decision mail, and
hands the row's id to the worker only once the transaction has committed.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, connections, router, transaction
from django.db.models.constants import OnConflict
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..enums import NotificationChannel, NotificationState, OrgRole, StaffRole
from ..models import Notification, NotificationPreference, User

log = logging.getLogger(__name__)

APPLICANT, STAFF = "applicant", "staff"


@dataclass(frozen=True)
class Kind:
    label: object
    audience: str
    essential: bool = False


# Every kind of message people receive. Essential kinds (decisions, and messages asking the recipient to
# act) cannot be turned off or delayed; the others can be turned off or held for the daily digest.
KINDS: dict[str, Kind] = {
    "application.submitted": Kind(_("Receipt of your submission"), APPLICANT),
    "application.resubmitted": Kind(_("Receipt of your resubmission"), APPLICANT),
    "application.review_started": Kind(_("First review started"), APPLICANT),
    "application.passed_to_final": Kind(_("Passed to final review"), APPLICANT),
    "application.changes_requested": Kind(_("Changes requested (action required)"), APPLICANT, True),
    "application.approved": Kind(_("Approved for public notice"), APPLICANT, True),
    "application.rejected": Kind(_("Application rejected"), APPLICANT, True),
    "application.objection_upheld": Kind(_("Objection upheld, back to final review"), APPLICANT, True),
    "application.admitted": Kind(_("Admitted as a member"), APPLICANT, True),
    "application.withdrawn": Kind(_("Withdrawal confirmed"), APPLICANT),
    "account.join_request": Kind(_("A colleague asks to join your organisation"), APPLICANT, True),
    "account.join_decided": Kind(_("Answer to your request to join"), APPLICANT),
    "account.invitation": Kind(_("An invitation to act for an organisation"), APPLICANT, True),
    "reminder.draft": Kind(_("Reminder: a draft left untouched"), APPLICANT),
    "reminder.publicity_ending": Kind(_("Reminder: public notice ends tomorrow"), APPLICANT),
    "staff.application.submitted": Kind(_("New submission for first review"), STAFF),
    "staff.application.resubmitted": Kind(_("Resubmission of an application you review"), STAFF),
    "staff.application.assigned": Kind(_("An application assigned to you"), STAFF),
    "staff.application.passed_to_final": Kind(_("Ready for final review"), STAFF),
    "staff.application.returned_to_review": Kind(_("Returned to first review"), STAFF),
    "staff.objection.filed": Kind(_("Objection filed during public notice"), STAFF),
    "reminder.unassigned": Kind(_("Reminder: submissions nobody is assigned to"), STAFF),
    "reminder.undecided": Kind(_("Reminder: applications waiting for your decision"), STAFF),
    "reminder.escalated": Kind(_("Escalation: reviews overdue"), STAFF),
    "staff.digest": Kind(_("Daily digest"), STAFF, True),
    "staff.outbox.failed": Kind(_("Messages the mail server would not take"), STAFF, True),
    "objection.received": Kind(_("Receipt of your objection, with its reference number"), APPLICANT, True),
    "objection.resolved": Kind(_("Outcome of your objection"), APPLICANT, True),
    "account.mail": Kind(_("Account e-mail (address verification, password reset)"), APPLICANT, True),
    "verification.submitted": Kind(_("Receipt of your verification documents"), APPLICANT),
    "verification.decided": Kind(_("Decision on the verification of your organisation"), APPLICANT, True),
    "verification.dispute_decided": Kind(_("Decision on a dispute about your organisation"), APPLICANT, True),
    "staff.verification.submitted": Kind(_("New organisation verification to check"), STAFF),
    "staff.verification.recommended": Kind(_("Organisation verification awaiting the second check"), STAFF),
    "pairing.proposed": Kind(_("A pairing proposed to your organisation (action required)"), APPLICANT, True),
    "pairing.decided": Kind(_("News of a pairing of your organisation"), APPLICANT, True),
    "staff.pairing.accepted": Kind(_("A pairing to confirm"), STAFF),
    "subsidy_claim.submitted": Kind(_("Receipt of your subsidy claim"), APPLICANT),
    "subsidy_claim.decided": Kind(_("Decision on your subsidy claim"), APPLICANT, True),
    "staff.subsidy_claim.submitted": Kind(_("New subsidy claim to review"), STAFF),
    "catalogue.introduction_requested": Kind(_("A request for an introduction in the data catalogue"), APPLICANT,
                                             True),
    "catalogue.introduction_answered": Kind(_("Answer to your request for an introduction"), APPLICANT),
    "case.decided": Kind(_("Review of your pilot case"), APPLICANT, True),
    "panel.reminder": Kind(_("Reminder: expert scores due before the panel's deadline"), STAFF, True),
}

# Account mail is rendered by allauth when it is recorded and holds one-time links: it is e-mail only,
# never in the in-app inbox, and nobody can turn it off.
ACCOUNT_MAIL = "account.mail"
FAILED_ALERT = "staff.outbox.failed"
# Objectors need no account: their mail goes to the address they gave, never to an inbox.
NOT_IN_INBOX = ("staff.digest", ACCOUNT_MAIL, "objection.received", "objection.resolved")

# Decision mail about one application supersedes older pending decision mail to the same person.
DECISION_KINDS = {"application.approved", "application.rejected", "application.changes_requested",
                  "application.admitted", "application.objection_upheld", "application.withdrawn"}


def is_essential(kind: str) -> bool:
    entry = KINDS.get(kind)
    return bool(entry and entry.essential)


def preference(user, kind):
    """The person's stored choice for this kind, or None (the default: e-mail each time)."""
    cache = user.__dict__.setdefault("_notification_prefs", None)
    if cache is None:
        cache = {p.kind: p for p in NotificationPreference.objects.filter(user=user)}
        user.__dict__["_notification_prefs"] = cache
    return cache.get(kind)


def wants(user, kind) -> bool:
    if is_essential(kind):
        return True
    pref = preference(user, kind)
    return pref.enabled if pref else True


def record(template_key, *, recipient=None, email="", context=None, application=None, dedupe_key,
           language=None, channel=NotificationChannel.EMAIL):
    """Write one outbox row (once per dedupe key) and queue its sending after commit.

    Returns the row, or None when the recipient turned this kind off or the key was already recorded.
    """
    essential = is_essential(template_key)
    for_digest = False
    if recipient is not None:
        if not recipient.is_active:
            return None
        if not essential:
            pref = preference(recipient, template_key)
            if pref is not None and not pref.enabled:
                return None
            for_digest = bool(pref and pref.digest)
    supersede = ""
    if application is not None and template_key in DECISION_KINDS:
        supersede = f"decision:{application.pk}:{recipient.pk if recipient else email}"
        _cancel_superseded(supersede)
    row = Notification(
        recipient=recipient, email=email or (recipient.email if recipient else ""),
        template_key=template_key, context=context or {}, application=application, channel=channel,
        language=language or (recipient.language if recipient else settings.LANGUAGE_CODE),
        dedupe_key=dedupe_key[:200], supersede_key=supersede, essential=essential,
        for_digest=for_digest, next_attempt_at=timezone.now(),
    )
    if not _insert_once(row):
        return None  # already recorded: the same event never notifies twice
    if not for_digest:
        transaction.on_commit(lambda: enqueue(row.pk, row.channel))
    return row


def _insert_once(row) -> bool:
    """Write the row unless its dedupe key is recorded already (INSERT … ON CONFLICT DO NOTHING): True once
    written, with its id. A conflict leaves the transaction as it was, without the savepoint (two more round
    trips) an IntegrityError would need; any other error still raises."""
    alias = router.db_for_write(Notification)
    if connections[alias].vendor != "postgresql":
        try:
            with transaction.atomic():
                row.save(force_insert=True)
        except IntegrityError:
            return False
        return True
    opts = Notification._meta
    fields = [f for f in opts.concrete_fields if not f.generated and not f.primary_key]
    returned = Notification._base_manager._insert([row], fields=fields, returning_fields=opts.db_returning_fields,
                                                   using=alias,
                                                   on_conflict=OnConflict.IGNORE)
    if not returned or returned[0] is None:
        return False
    for value, field in zip(returned[0], opts.db_returning_fields, strict=True):
        setattr(row, field.attname, value)
    row._state.adding = False
    row._state.db = alias
    return True


def _cancel_superseded(supersede_key):
    # Rows a worker is sending right now are claimed (or locked for a moment): they go out; skip them.
    pending = (Notification.objects.filter(supersede_key=supersede_key, state=NotificationState.PENDING)
               .exclude(claimed_until__gt=timezone.now()))
    ids = list(pending.select_for_update(skip_locked=True).values_list("pk", flat=True))
    if ids:
        Notification.objects.filter(pk__in=ids, state=NotificationState.PENDING).update(
            state=NotificationState.CANCELLED, last_error="superseded by a newer decision")


def enqueue(notification_id, channel=NotificationChannel.EMAIL):
    """Hand the row to the worker of its channel's queue; if the broker is down the periodic sweep picks it up later.

    Never raises: this runs after the commit of a change that must stand whatever the broker does, and
    without a broker (tasks run in-process) a failing mail server must not break the web request.
    """
    from ..tasks import delivery_task

    try:
        delivery_task(channel).apply_async((notification_id,), retry=False)
    except Exception:  # noqa: BLE001 - broker errors must never undo a committed change
        log.warning("Could not queue notification %s; the sweep will retry.", notification_id, exc_info=True)
        return False
    return True


# --- Who hears of what ----------------------------------------------------------------------------

def staff_with_role(role):
    # One query through the group's name (no group, no one).
    return User.objects.filter(groups__name=role, is_active=True)


def applicants_of(application):
    return User.objects.filter(org_links__organization=application.organization, is_active=True).distinct()


def _letter(application):
    decision = application.decisions.filter(action__in=["approve", "reject"]).order_by("-id").first()
    if decision is None or not decision.letter_body:
        return {}
    return {"letter_subject": decision.letter_subject, "letter_body": decision.letter_body}


def _base_context(application, inputs=None, data=None):
    ctx = {
        "application_id": application.pk,
        "organization": application.organization.name,
        "partner_types": application.partner_types,
        "state": application.state,
    }
    for key in ("message", "points", "granted_types", "reason"):
        if inputs and inputs.get(key) and isinstance(inputs[key], (str, list)):
            ctx[key] = inputs[key]
    if data:
        ctx.update({k: v for k, v in data.items() if isinstance(v, (str, int, list, dict))})
    if application.publicity_ends_at:
        ctx["publicity_ends_at"] = application.publicity_ends_at.isoformat()
    return ctx


def notify_transition(application, transition, actor, inputs, data, event=None):
    """Who hears of which transition; called by `workflow.fire` inside its transaction, after the transition's audit
    event (`event`, or the application's last) was written."""
    ctx = _base_context(application, inputs, data)
    key = transition.code
    if key in ("application.approved", "application.rejected"):
        ctx.update(_letter(application))
    event = event.pk if event is not None else (
        application.events.order_by("-id").values_list("id", flat=True).first())
    if transition.visible_to_applicant and key in KINDS:
        for person in with_preferences(applicants_of(application)):
            record(key, recipient=person, context=ctx, application=application,
                   dedupe_key=f"{key}:{event}:{person.pk}")
    for kind, people in _staff_recipients(application, key, actor):
        for person in with_preferences(people):
            record(kind, recipient=person, context=ctx, application=application,
                   dedupe_key=f"{kind}:{event}:{person.pk}")


def with_preferences(people) -> list:
    """The people, each with their notification choices read (one query for all, not one per person)."""
    people = list(people)
    missing = [p for p in people if p.__dict__.get("_notification_prefs") is None]
    if missing:
        chosen = {p.pk: {} for p in missing}
        for pref in NotificationPreference.objects.filter(user__in=missing):
            chosen[pref.user_id][pref.kind] = pref
        for person in missing:
            person.__dict__["_notification_prefs"] = chosen[person.pk]
    return people


def _staff_recipients(application, key, actor):
    acting = getattr(getattr(actor, "user", None), "pk", None)
    if key == "application.submitted":
        yield "staff.application.submitted", staff_with_role(StaffRole.REVIEWER)
    elif key == "application.resubmitted":
        people = (User.objects.filter(pk=application.assigned_reviewer_id, is_active=True)
                  if application.assigned_reviewer_id else staff_with_role(StaffRole.REVIEWER))
        yield "staff.application.resubmitted", people
    elif key == "application.passed_to_final":
        # Four eyes: the first reviewer cannot decide it, so they are not asked to.
        yield "staff.application.passed_to_final", staff_with_role(StaffRole.APPROVER).exclude(
            pk__in=[pk for pk in (application.first_reviewed_by_id, acting) if pk])
    elif key == "application.returned_to_review":
        reviewer = application.assigned_reviewer_id or application.first_reviewed_by_id
        if reviewer:
            yield "staff.application.returned_to_review", User.objects.filter(pk=reviewer, is_active=True)


def notify_join_request(join_request):
    """Tell the organisation's owner that someone asks to act for it (call inside the transaction)."""
    organization = join_request.organization
    owners = User.objects.filter(org_links__organization=organization, org_links__role=OrgRole.OWNER,
                                 is_active=True)
    person = join_request.user
    ctx = {"organization": organization.name, "organization_id": organization.pk, "person": str(person),
           "person_email": person.email, "message": join_request.message, "join_request": join_request.pk}
    return [record("account.join_request", recipient=owner, context=ctx,
                   dedupe_key=f"account.join_request:{join_request.pk}:{owner.pk}") for owner in owners]


def notify_join_decision(join_request):
    """Tell the person who asked to join whether the owner approved or declined."""
    ctx = {"organization": join_request.organization.name, "organization_id": join_request.organization_id,
           "state": join_request.state}
    return record("account.join_decided", recipient=join_request.user, context=ctx,
                  dedupe_key=f"account.join_decided:{join_request.pk}:{join_request.state}")


def notify_invitation(invitation, person=None):
    """Mail the invited address: a person with an account accepts in the portal, others sign up first."""
    inviter = invitation.invited_by
    ctx = {"organization": invitation.organization.name, "organization_id": invitation.organization_id,
           "inviter": str(inviter) if inviter else "", "invitation": invitation.pk,
           "has_account": person is not None}
    if person is not None:
        return record("account.invitation", recipient=person, context=ctx,
                      dedupe_key=f"account.invitation:{invitation.pk}:{person.pk}")
    return record("account.invitation", email=invitation.email, context=ctx,
                  language=getattr(inviter, "language", None),
                  dedupe_key=f"account.invitation:{invitation.pk}:{invitation.email}")


# --- Preferences ----------------------------------------------------------------------------------

IMMEDIATE, DIGEST, OFF = "immediate", "digest", "off"
CHOICE_LABELS = [(IMMEDIATE, _("E-mail each time")), (DIGEST, _("In the daily digest")), (OFF, _("Off"))]


def kinds_for(user, *, staff: bool):
    """The kinds this person can receive, in catalogue order (staff kinds only for staff)."""
    return [(code, kind) for code, kind in KINDS.items()
            if code not in NOT_IN_INBOX and (kind.audience == APPLICANT or staff)]


def choices_of(user) -> dict[str, str]:
    return {p.kind: (OFF if not p.enabled else DIGEST if p.digest else IMMEDIATE)
            for p in NotificationPreference.objects.filter(user=user)}


def set_preferences(user, choices: dict[str, str]):
    """Store the person's choices; essential kinds cannot be changed, unknown values are refused."""
    from django.utils.translation import gettext as _g

    from .applications import ServiceError

    for kind, choice in choices.items():
        if kind not in KINDS:
            raise ServiceError(_g("Unknown kind of notification: %(kind)s.") % {"kind": kind}, field=kind)
        if is_essential(kind):
            raise ServiceError(_g("Decisions and messages that ask you to act cannot be turned off."),
                               field=kind)
        if choice not in (IMMEDIATE, DIGEST, OFF):
            raise ServiceError(_g("Choose how you want to receive “%(kind)s”.") % {"kind": KINDS[kind].label},
                               field=kind)
    with transaction.atomic():
        for kind, choice in choices.items():
            NotificationPreference.objects.update_or_create(
                user=user, kind=kind, defaults={"enabled": choice != OFF, "digest": choice == DIGEST})
    user.__dict__.pop("_notification_prefs", None)


# --- The in-app inbox -----------------------------------------------------------------------------

def inbox(user):
    """What the person sees in the inbox: every notification to them except cancelled ones and digests."""
    return (Notification.objects.filter(recipient=user)
            .exclude(state=NotificationState.CANCELLED).exclude(template_key__in=NOT_IN_INBOX))


def unread_count(user) -> int:
    return inbox(user).filter(read_at__isnull=True).count()


def mark_read(user, ids=None) -> int:
    """Mark the person's own notifications read (all of them when ids is None)."""
    qs = inbox(user).filter(read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


URL_CANDIDATES = {
    APPLICANT: [("portal:application", True), ("portal:application_detail", True), ("portal:home", False)],
    STAFF: [("review:application", True), ("review:application_detail", True), ("review:detail", True),
            ("review:dashboard", False)],
}


def target_path(notification) -> str:
    """Where the notification leads: the page its recipient acts on (the application's page in the portal or the
    staff screens, the member's, the request's, the case's, …); tests/test_notification_targets.py walks every
    kind."""
    kind = KINDS.get(notification.template_key)
    audience = kind.audience if kind else APPLICANT
    org_id = (notification.context or {}).get("organization_id")
    if notification.template_key == FAILED_ALERT:
        return reverse("outbox:list") + "?state=failed"
    if notification.template_key.startswith("objection."):
        return reverse("publicity:list")
    if notification.template_key == "account.invitation":
        name = "portal:invitations" if (notification.context or {}).get("has_account") else "account_signup"
        try:
            return reverse(name)
        except NoReverseMatch:
            pass
    if notification.template_key == "account.join_decided" and (notification.context or {}).get("state") != "approved":
        return reverse("portal:home")  # a declined person does not act for the organisation: its page is not theirs
    if notification.template_key.startswith("account.join") and org_id:
        try:
            return reverse("portal:organization", args=[org_id])
        except NoReverseMatch:
            pass
    subsidy_page = _subsidy_target(notification, audience) or _kind_target(notification)
    if subsidy_page:
        return subsidy_page
    app_id = notification.application_id or (notification.context or {}).get("application_id")
    for name, needs_id in URL_CANDIDATES[audience]:
        if needs_id and not app_id:
            continue
        try:
            return reverse(name, args=[app_id] if needs_id else [])
        except NoReverseMatch:
            continue
    return "/"


VERIFICATION_DECISIONS = {"verify", "refuse", "transfer", "keep", "suspend"}


def notify_verification(case, transition, actor, data):
    """Who hears of a verification transition: the claimant, the owner a dispute is about, and staff."""
    organization = case.organization
    ctx = {"organization": organization.name, "organization_id": organization.pk, "case": case.pk,
           "kind": case.kind, "action": transition.action, "state": case.state, "reason": case.reason}
    event = f"{case.pk}:{transition.action}:{case.state_changed_at.timestamp() if case.state_changed_at else 0}"
    claimant = case.claimant
    acting = getattr(getattr(actor, "user", None), "pk", None)
    if transition.action == "submit":
        if claimant is not None:
            record("verification.submitted", recipient=claimant, context=ctx,
                   dedupe_key=f"verification.submitted:{event}")
        for person in staff_with_role(StaffRole.REVIEWER):
            record("staff.verification.submitted", recipient=person, context=ctx,
                   dedupe_key=f"staff.verification.submitted:{event}:{person.pk}")
    elif transition.action == "recommend":
        for person in staff_with_role(StaffRole.APPROVER).exclude(pk=acting):
            record("staff.verification.recommended", recipient=person, context=ctx,
                   dedupe_key=f"staff.verification.recommended:{event}:{person.pk}")
    elif transition.action in VERIFICATION_DECISIONS:
        if claimant is not None:
            record("verification.decided", recipient=claimant, context=ctx,
                   dedupe_key=f"verification.decided:{event}")
        other = data.get("previous_owner")
        if other and other != case.claimant_id:
            # Both sides of a dispute (or of a contested claim) hear of the decision.
            person = User.objects.filter(pk=other).first()
            if person is not None:
                record("verification.dispute_decided", recipient=person, context=ctx,
                       dedupe_key=f"verification.dispute_decided:{event}:{person.pk}")


# --- Pairings and subsidy claims ------------------------------------------------------------------------------

def people_of(*organizations):
    """Everyone acting for these organisations (owners and colleagues)."""
    ids = [o.pk for o in organizations if o is not None]
    return User.objects.filter(org_links__organization_id__in=ids, is_active=True).distinct()


def _pairing_context(pairing, action=""):
    return {"pairing": pairing.pk, "scenario": pairing.scenario, "application_partner": pairing.application_partner.name,
            "model_partner": pairing.model_partner.name, "organization_id": pairing.counterpart.pk,
            "proposer": pairing.proposer.name, "action": action, "state": pairing.state, "reason": pairing.reason,
            "outcome": pairing.outcome}


def notify_pairing_proposed(pairing):
    """The other side's people are asked to accept or decline."""
    ctx = _pairing_context(pairing, "propose")
    for person in people_of(pairing.counterpart):
        record("pairing.proposed", recipient=person, context=ctx,
               dedupe_key=f"pairing.proposed:{pairing.pk}:{person.pk}")


def notify_pairing(pairing, transition, actor):
    """Both sides hear of every step after the proposal; reviewers hear of a pairing waiting to be confirmed."""
    ctx = _pairing_context(pairing, transition.action)
    event = f"{pairing.pk}:{transition.action}:{pairing.state_changed_at.timestamp() if pairing.state_changed_at else 0}"
    acting = getattr(getattr(actor, "user", None), "pk", None)
    for person in people_of(pairing.application_partner, pairing.model_partner).exclude(pk=acting):
        record("pairing.decided", recipient=person, context=ctx, dedupe_key=f"pairing.decided:{event}:{person.pk}")
    if transition.action == "accept":
        for person in staff_with_role(StaffRole.REVIEWER):
            record("staff.pairing.accepted", recipient=person, context=ctx,
                   dedupe_key=f"staff.pairing.accepted:{event}:{person.pk}")


CLAIM_DECISIONS = {"request_changes", "approve", "reject", "pay"}


def notify_subsidy_claim(claim, transition, actor):
    """The claimant's people hear of the receipt and of each decision; reviewers hear of a new claim."""
    ctx = {"claim": claim.pk, "organization": claim.organization.name, "organization_id": claim.organization_id,
           "contract_number": claim.contract_number, "action": transition.action, "state": claim.state,
           "reason": claim.reason, "claimed_amount": str(claim.claimed_amount or ""),
           "approved_amount": str(claim.approved_amount or ""), "payment_reference": claim.payment_reference,
           "paid_on": claim.paid_on.isoformat() if claim.paid_on else ""}
    event = f"{claim.pk}:{transition.action}:{claim.state_changed_at.timestamp() if claim.state_changed_at else 0}"
    if transition.action == "submit":
        for person in people_of(claim.organization):
            record("subsidy_claim.submitted", recipient=person, context=ctx,
                   dedupe_key=f"subsidy_claim.submitted:{event}:{person.pk}")
        for person in staff_with_role(StaffRole.REVIEWER):
            record("staff.subsidy_claim.submitted", recipient=person, context=ctx,
                   dedupe_key=f"staff.subsidy_claim.submitted:{event}:{person.pk}")
    elif transition.action in CLAIM_DECISIONS:
        for person in people_of(claim.organization):
            record("subsidy_claim.decided", recipient=person, context=ctx,
                   dedupe_key=f"subsidy_claim.decided:{event}:{person.pk}")
# --- Serving the members ---------------------------------------------------------------------------------------

KINDS.update({
    "member.followup_due": Kind(_("Reminder: a follow-up with a member is due"), STAFF),
    "member.uncontacted": Kind(_("Reminder: a member not contacted for a long time"), STAFF),
    "staff.member_request.raised": Kind(_("A member raised a request"), STAFF),
    "staff.member_request.reopened": Kind(_("A member reopened a request"), STAFF, True),
    "staff.member_request.escalated": Kind(_("Escalation: a member request is overdue"), STAFF, True),
    "member_request.received": Kind(_("Receipt of your request to the plan office"), APPLICANT),
    "member_request.updated": Kind(_("News about your request to the plan office"), APPLICANT),
    "member_request.resolved": Kind(_("Your request was resolved: please confirm (action required)"), APPLICANT,
                                    True),
    "annual_update.asked": Kind(_("The annual update of your membership (action required)"), APPLICANT, True),
    "annual_update.reminder": Kind(_("Reminder: the annual update of your membership"), APPLICANT, True),
    "staff.annual_update.overdue": Kind(_("Members that have not answered the annual update"), STAFF, True),
    "staff.profile_change": Kind(_("A member changed a public fact, to check"), STAFF),
})




def _request_context(member_request):
    organization = member_request.membership.organization
    return {"organization": organization.name, "organization_id": organization.pk,
            "membership_id": member_request.membership_id, "request": member_request.pk,
            "request_id": str(member_request.public_id), "title": member_request.title,
            "kind": member_request.kind, "state": member_request.state, "department": member_request.department,
            "resolution": member_request.resolution, "reason": member_request.reopen_reason,
            "due_at": member_request.due_at.isoformat() if member_request.due_at else ""}


def notify_member_request_raised(member_request):
    from .member_service import officers_for

    ctx = _request_context(member_request)
    officers = officers_for(member_request.membership) or list(staff_with_role(StaffRole.SERVICE_OFFICER))
    for person in officers:
        if person.pk == member_request.raised_by_id:
            continue
        record("staff.member_request.raised", recipient=person, context=ctx,
               dedupe_key=f"staff.member_request.raised:{member_request.pk}:{person.pk}")
    if not member_request.recorded_by_officer and member_request.raised_by is not None:
        record("member_request.received", recipient=member_request.raised_by, context=ctx,
               dedupe_key=f"member_request.received:{member_request.pk}")


def notify_member_request(member_request, transition, actor, data):
    """Who hears of a member-request transition: the member's people, the officer, and for escalations the
    administrators."""
    from .member_service import officers_for

    ctx = _request_context(member_request)
    event = (f"{member_request.pk}:{transition.action}:"
             f"{member_request.state_changed_at.timestamp() if member_request.state_changed_at else 0}")
    acting = getattr(getattr(actor, "user", None), "pk", None)
    organization = member_request.membership.organization
    officers = [p for p in officers_for(member_request.membership)]
    if member_request.officer is not None and member_request.officer not in officers:
        officers.insert(0, member_request.officer)
    if transition.action in ("refer", "resolve"):
        kind = "member_request.resolved" if transition.action == "resolve" else "member_request.updated"
        for person in people_of(organization):
            record(kind, recipient=person, context=ctx, dedupe_key=f"{kind}:{event}:{person.pk}")
    elif transition.action == "reopen":
        for person in officers:
            if person.pk != acting:
                record("staff.member_request.reopened", recipient=person, context=ctx,
                       dedupe_key=f"staff.member_request.reopened:{event}:{person.pk}")
    elif transition.action == "escalate":
        people = {p.pk: p for p in officers}
        for person in staff_with_role(StaffRole.ADMINISTRATOR):
            people.setdefault(person.pk, person)
        for person in people.values():
            record("staff.member_request.escalated", recipient=person, context={**ctx, **data},
                   dedupe_key=f"staff.member_request.escalated:{event}:{person.pk}")


def _case_page(ctx, notification):
    from ..models import Case

    public_id = Case.objects.filter(pk=ctx.get("case")).values_list("public_id", flat=True).first()
    return ("catalogue:case", [public_id]) if public_id else ("catalogue:mine", [])


def _panel_page(ctx, notification):
    from ..models import ExpertAssignment

    pk = (ExpertAssignment.objects.filter(application_id=ctx.get("application_id"),
                                          expert_id=notification.recipient_id)
          .values_list("pk", flat=True).first())
    return ("panel:assignment", [pk]) if pk else ("panel:home", [])


def _by_id(name, key):
    return lambda ctx, notification: (name, [ctx[key]]) if ctx.get(key) else None


def _page(name):
    return lambda ctx, notification: (name, [])


# Where each kind of the member services, verification, catalogue and panel leads: the page the recipient acts on
# (the application's kinds, pairings and claims are worked out in target_path and _subsidy_target).
KIND_TARGETS = {
    "verification.submitted": _by_id("portal:verification", "case"),
    "verification.decided": _by_id("portal:verification", "case"),
    # The other side of a dispute is not the claimant (and may have lost the organisation): their portal.
    "verification.dispute_decided": _page("portal:home"),
    "staff.verification.submitted": _by_id("review:verification", "case"),
    "staff.verification.recommended": _by_id("review:verification", "case"),
    "catalogue.introduction_requested": _page("catalogue:mine"),
    "catalogue.introduction_answered": _page("catalogue:mine"),
    "case.decided": _case_page,
    "panel.reminder": _panel_page,
    "member.followup_due": _by_id("review:member", "membership_id"),
    "member.uncontacted": _by_id("review:member", "membership_id"),
    "staff.member_request.raised": _by_id("review:member_request", "request"),
    "staff.member_request.reopened": _by_id("review:member_request", "request"),
    "staff.member_request.escalated": _by_id("review:member_request", "request"),
    "member_request.received": _by_id("portal:member_request", "request"),
    "member_request.updated": _by_id("portal:member_request", "request"),
    "member_request.resolved": _by_id("portal:member_request", "request"),
    "annual_update.asked": _by_id("portal:annual_update", "organization_id"),
    "annual_update.reminder": _by_id("portal:annual_update", "organization_id"),
    "staff.annual_update.overdue": _page("review:annual_non_responders"),
    "staff.profile_change": _page("review:profile_changes"),
}


def _kind_target(notification) -> str:
    """The page of KIND_TARGETS for this notification, or "" (an old row missing the id falls through)."""
    rule = KIND_TARGETS.get(notification.template_key)
    target = rule(notification.context or {}, notification) if rule else None
    if not target:
        return ""
    name, args = target
    try:
        path = reverse(name, args=args)
    except NoReverseMatch:
        return ""
    if notification.template_key == "staff.annual_update.overdue" and (notification.context or {}).get("year"):
        path += f"?year={int(notification.context['year'])}"
    return path


def _subsidy_target(notification, audience) -> str:
    """The pairing's or the claim's page (portal or staff) for their notifications, else ""."""
    ctx = notification.context or {}
    key = notification.template_key
    if "pairing." in key and ctx.get("pairing"):
        name, pk = ("review:pairing" if audience == STAFF else "portal:pairing"), ctx["pairing"]
    elif "subsidy_claim." in key and ctx.get("claim"):
        name, pk = ("review:subsidy_claim" if audience == STAFF else "portal:subsidy_claim"), ctx["claim"]
    else:
        return ""
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return ""
