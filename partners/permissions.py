"""One map of who may do what: `can(user, action, obj)` answers (allowed, reason) for every interface."""

from dataclasses import dataclass

from django.utils.translation import gettext as _g

from .enums import OrgRole, StaffRole
from .workflow import ADMINISTRATOR, APPLICANT, APPROVER, REVIEWER, Transition


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    reason: str = ""
    code: str = "forbidden"  # why, for machines: "forbidden" or "four_eyes"

    def __bool__(self):
        return self.allowed


YES = Verdict(True)


def no(reason, code="forbidden"):
    return Verdict(False, reason, code)


def is_staff_member(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and (user.is_superuser or staff_roles(user)))


STAFF_ROLE_CODES = {StaffRole.REVIEWER, StaffRole.APPROVER, StaffRole.SERVICE_OFFICER, StaffRole.ADMINISTRATOR}


def staff_roles(user) -> set[str]:
    if not user or not user.is_authenticated:
        return set()
    return {r for r in STAFF_ROLE_CODES if user.has_role(r)}


def has_role(user, role) -> bool:
    if not user or not user.is_authenticated or not user.is_active:
        return False
    if role == ADMINISTRATOR and user.is_superuser:
        return True
    return user.has_role(role)


def org_role(user, organization) -> str | None:
    """The person's role in the organisation (owner, colleague) or None."""
    if not user or not user.is_authenticated or organization is None:
        return None
    cache = user.__dict__.setdefault("_org_role_cache", {})
    if organization.pk not in cache:
        # The organisation's key comes along: the related manager sets it on the row it returns, which would
        # otherwise read it in a second query.
        link = organization.memberships_of_people.filter(user=user).only("role", "organization").first()
        cache[organization.pk] = link.role if link else None
    return cache[organization.pk]


def acts_for(user, organization) -> bool:
    return org_role(user, organization) is not None


# Applications are for the staff who review them; service officers work with members, not applications.
APPLICATION_STAFF = (REVIEWER, APPROVER, ADMINISTRATOR)


def reads_applications(user) -> bool:
    return any(has_role(user, r) for r in APPLICATION_STAFF)


def never_submitted(application) -> bool:
    """Drafts belong to the applicant until submitted (a draft withdrawn unsent stays theirs)."""
    return application.state == "draft" or application.submitted_at is None


def can_see_application(user, application) -> Verdict:
    if acts_for(user, application.organization):
        return YES
    if reads_applications(user) and not never_submitted(application):
        return YES
    return no(_g("You do not act for this organisation."))


def visible_applications(user, queryset):
    """The same answer as `can_see_application`, as a filter of a queryset of applications (API lists)."""
    from django.db.models import Q

    from .models import OrganizationMember

    if not user or not user.is_authenticated or not user.is_active:
        return queryset.none()
    own = Q(organization_id__in=OrganizationMember.objects.filter(user=user).values("organization_id"))
    if reads_applications(user):
        return queryset.filter(own | (Q(submitted_at__isnull=False) & ~Q(state="draft")))
    return queryset.filter(own)


def can_fire(user, transition: Transition, application) -> Verdict:
    """May this person fire this transition on this application now?"""
    if not user or not user.is_authenticated:
        return no(_g("Please log in."))
    roles = transition.roles
    if APPLICANT in roles and acts_for(user, application.organization):
        return unless_suspended(application.organization)
    staff_ok = any(has_role(user, r) for r in roles if r in (REVIEWER, APPROVER, ADMINISTRATOR))
    if not staff_ok:
        if APPLICANT in roles:
            return no(_g("Only people acting for the organisation can do this."))
        return no(_g("Your role does not allow this action."))
    if acts_for(user, application.organization):
        return no(_g("You act for this organisation, so you cannot review its application."), "four_eyes")
    if (transition.action in FINAL_DECISIONS or transition.source in FINAL_LEVEL_STATES) and _first_reviewer(
            user, application):
        return no(_g("An approver cannot decide an application they reviewed at first review (four eyes)."),
                  "four_eyes")
    return YES


FINAL_DECISIONS = {"approve", "return_to_review", "uphold_objection"}
FINAL_LEVEL_STATES = {"final_review", "publicity"}


def _first_reviewer(user, application) -> bool:
    # Any first-review step in any round counts, not only the last pass (see services.review).
    from .services.review import took_part_in_first_review

    return took_part_in_first_review(user, application)


# --- Non-workflow actions -----------------------------------------------------------------------

def _staff_rule(*roles):
    def rule(user, obj):
        if any(has_role(user, r) for r in roles):
            return YES
        return no(_g("Your role does not allow this action."))

    return rule


def unless_suspended(organization) -> Verdict:
    """YES, or a refusal when the plan office suspended the organisation's access (a dispute decided so): its
    people still read what is theirs, but change nothing until the office lifts it."""
    if organization is not None and organization.verification == "suspended":
        return no(_g("The plan office suspended this organisation's access; nothing can be changed for it now. "
                     "Please contact the plan office."), "suspended")
    return YES


def _owner_rule(user, organization):
    if org_role(user, organization) == OrgRole.OWNER:
        return unless_suspended(organization)
    return no(_g("Only the organisation's owner can do this."))


def _member_rule(user, organization):
    if acts_for(user, organization):
        return unless_suspended(organization)
    return no(_g("You do not act for this organisation."))


def _application_editor(user, application):
    if not acts_for(user, application.organization):
        return no(_g("You do not act for this organisation."))
    if not (verdict := unless_suspended(application.organization)):
        return verdict
    if application.state not in ("draft", "changes_requested"):
        return no(_g("The application can only be edited as a draft or when changes were requested."))
    return YES


def _case_editor(user, case):
    if not acts_for(user, case.organization):
        return no(_g("You do not act for this organisation."))
    if not (verdict := unless_suspended(case.organization)):
        return verdict
    if case.state not in ("draft", "returned"):
        return no(_g("A case can only be changed while it is being prepared or after it was returned."))
    return YES


# --- Organisation verification (the verification process's permission rule) --------------------------------

def can_fire_verification(user, transition: Transition, case) -> Verdict:
    """May this person fire this verification transition now? Four eyes when VERIFICATION_FOUR_EYES is on."""
    from django.conf import settings

    from .workflow.verification import CLAIM_ACTIONS, DISPUTE_ACTIONS

    if not user or not user.is_authenticated:
        return no(_g("Please log in."))
    fits = DISPUTE_ACTIONS if case.kind == "dispute" else CLAIM_ACTIONS
    if transition.action not in fits:
        return no(_g("This decision does not fit this kind of case."))
    if APPLICANT in transition.roles:
        if user.pk == case.claimant_id:
            return YES
        return no(_g("Only the person who opened this case can do this."))
    if not any(has_role(user, r) for r in transition.roles):
        return no(_g("Your role does not allow this action."))
    if user.pk == case.claimant_id or acts_for(user, case.organization):
        return no(_g("You act for this organisation, so you cannot decide its verification."), "four_eyes")
    deciding = transition.action not in ("recommend", "refuse")
    if deciding and getattr(settings, "VERIFICATION_FOUR_EYES", True):
        if transition.source == "pending":
            return no(_g("Four eyes: a colleague first checks the documents (“pass to a second check”), then "
                         "another decides."), "four_eyes")
        if case.recommended_by_id == user.pk:
            return no(_g("Four eyes: you checked this case's documents, so a colleague decides it."), "four_eyes")
    return YES


def can_fire_case(user, transition: Transition, case) -> Verdict:
    """May this person fire this pilot-case transition now? Staff never review their own organisation's case."""
    if not user or not user.is_authenticated:
        return no(_g("Please log in."))
    if APPLICANT in transition.roles:
        if acts_for(user, case.organization):
            return unless_suspended(case.organization)
        return no(_g("Only people acting for the organisation can do this."))
    if not any(has_role(user, r) for r in transition.roles):
        return no(_g("Your role does not allow this action."))
    if acts_for(user, case.organization):
        return no(_g("You act for this organisation, so you cannot review its case."), "four_eyes")
    return YES
# --- The expert panel (the panel process's permission rule) ------------------------------------------------

def is_expert(user) -> bool:
    return has_role(user, StaffRole.EXPERT)


def can_fire_panel(user, transition: Transition, assignment) -> Verdict:
    """Experts act on their own assignments only; first-review staff may remove an assignment."""
    from .workflow.roles import EXPERT

    if not user or not user.is_authenticated:
        return no(_g("Please log in."))
    if EXPERT in transition.roles:
        if assignment.expert_id == user.pk and is_expert(user):
            return YES
        return no(_g("Only the expert assigned to this application can do this."))
    if any(has_role(user, r) for r in transition.roles):
        return YES
    return no(_g("Your role does not allow this action."))


def _verification_viewer(user, case):
    if case is not None and user.pk == case.claimant_id:
        return YES
    if case is not None and acts_for(user, case.organization) and case.kind == "claim":
        return YES
    return _staff_rule(REVIEWER, APPROVER, ADMINISTRATOR)(user, case)


# --- Pairings and subsidy claims (their processes' permission rules) ---------------------------------------

def can_fire_pairing(user, transition: Transition, pairing) -> Verdict:
    """The proposer's people withdraw, the other side's people accept or decline, staff confirm and record the
    outcome; nobody decides a pairing of an organisation they act for."""
    from .workflow.pairing import COUNTERPART, PROPOSER

    if not user or not user.is_authenticated:
        return no(_g("Please log in."))
    roles = transition.roles
    if PROPOSER in roles and acts_for(user, pairing.proposer):
        return unless_suspended(pairing.proposer)
    if COUNTERPART in roles and acts_for(user, pairing.counterpart):
        return unless_suspended(pairing.counterpart)
    if roles & {PROPOSER, COUNTERPART}:
        if COUNTERPART in roles and acts_for(user, pairing.proposer):
            return no(_g("The other side answers a proposal, not the side that made it."))
        return no(_g("Only people acting for the paired organisations can do this."))
    if not any(has_role(user, r) for r in roles):
        return no(_g("Your role does not allow this action."))
    if any(acts_for(user, org) for org in (pairing.application_partner, pairing.model_partner,
                                            pairing.compute_partner) if org is not None):
        return no(_g("You act for an organisation of this pairing, so you cannot decide it."), "four_eyes")
    return YES


def can_fire_subsidy_claim(user, transition: Transition, claim) -> Verdict:
    """The claimant's people submit and withdraw; staff review; an approver who did not review the claim
    approves it (four eyes); nobody decides a claim of an organisation they act for."""
    if not user or not user.is_authenticated:
        return no(_g("Please log in."))
    roles = transition.roles
    if APPLICANT in roles:
        if acts_for(user, claim.organization):
            return unless_suspended(claim.organization)
        return no(_g("Only people acting for the organisation can do this."))
    if not any(has_role(user, r) for r in roles):
        return no(_g("Your role does not allow this action."))
    if acts_for(user, claim.organization):
        return no(_g("You act for this organisation, so you cannot decide its subsidy claim."), "four_eyes")
    if transition.action == "approve" and claim.reviewed_by_id == user.pk:
        return no(_g("Four eyes: you reviewed this claim, so a colleague approves it."), "four_eyes")
    return YES


def _pairing_viewer(user, pairing):
    if pairing is not None and any(acts_for(user, org) for org in (
            pairing.application_partner, pairing.model_partner, pairing.compute_partner) if org is not None):
        return YES
    return _staff_rule(REVIEWER, APPROVER, ADMINISTRATOR)(user, pairing)


def _subsidy_claim_viewer(user, claim):
    if claim is not None and acts_for(user, claim.organization):
        return YES
    return _staff_rule(REVIEWER, APPROVER, ADMINISTRATOR)(user, claim)


RULES = {
    "verification.view": _verification_viewer,
    "verification.queue": _staff_rule(REVIEWER, APPROVER, ADMINISTRATOR),
    "verification.assign": _staff_rule(REVIEWER, APPROVER, ADMINISTRATOR),
    "application.view": lambda u, a: can_see_application(u, a),
    "application.edit": _application_editor,
    "application.create": _member_rule,
    "application.assign": _staff_rule(REVIEWER, ADMINISTRATOR),
    "application.note": _staff_rule(REVIEWER, APPROVER, ADMINISTRATOR),
    "application.export": _staff_rule(REVIEWER, APPROVER, ADMINISTRATOR),
    "queue.view": _staff_rule(REVIEWER, APPROVER, ADMINISTRATOR),
    "objection.resolve": _staff_rule(APPROVER, ADMINISTRATOR),
    "membership.view": _staff_rule(REVIEWER, APPROVER, StaffRole.SERVICE_OFFICER, ADMINISTRATOR),
    "membership.change": _staff_rule(APPROVER, ADMINISTRATOR),
    "letters.edit": _staff_rule(ADMINISTRATOR),
    "organization.manage_people": _owner_rule,
    "organization.edit": _member_rule,
    "outbox.view": _staff_rule(ADMINISTRATOR),
    "api_key.manage": _staff_rule(ADMINISTRATOR),
    "pairing.view": _pairing_viewer,
    "pairing.propose": _member_rule,
    "pairing.queue": _staff_rule(REVIEWER, APPROVER, ADMINISTRATOR),
    "subsidy.view": _subsidy_claim_viewer,
    "subsidy.claim": _member_rule,
    "subsidy.queue": _staff_rule(REVIEWER, APPROVER, ADMINISTRATOR),
    "subsidy.rules": _staff_rule(ADMINISTRATOR),
    "subsidy.budget": _staff_rule(APPROVER, ADMINISTRATOR),
    "subsidy.reports": _staff_rule(REVIEWER, APPROVER, ADMINISTRATOR),
    "catalogue.create": _member_rule,
    "catalogue.edit": _member_rule,
    "catalogue.moderate": _staff_rule(REVIEWER, APPROVER, ADMINISTRATOR),
    "case.create": _member_rule,
    "case.edit": _case_editor,
    "case.queue": _staff_rule(REVIEWER, APPROVER, ADMINISTRATOR),
    "case.designate": _staff_rule(APPROVER, ADMINISTRATOR),
    "target.edit": _staff_rule(APPROVER, ADMINISTRATOR),  # those who designate the cases counted
    "dashboard.view": _staff_rule(REVIEWER, APPROVER, StaffRole.SERVICE_OFFICER, ADMINISTRATOR),
    "call.manage": _staff_rule(ADMINISTRATOR),
    "call.view": _staff_rule(REVIEWER, APPROVER, ADMINISTRATOR),
    "panel.assign": _staff_rule(REVIEWER, ADMINISTRATOR),
    "panel.aggregate": _staff_rule(REVIEWER, APPROVER, ADMINISTRATOR),
    "panel.work": lambda u, obj: YES if is_expert(u) else no(_g("Only panel experts can do this.")),
}


def can(user, action: str, obj=None) -> Verdict:
    """The one question every view, serializer, admin action and command asks."""
    if not user or not user.is_authenticated:
        return no(_g("Please log in."))
    if not user.is_active:
        return no(_g("This account is disabled."))
    rule = RULES.get(action)
    if rule is None:
        raise KeyError(f"No permission rule for {action!r}")
    return rule(user, obj)
