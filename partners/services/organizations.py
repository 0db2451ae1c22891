"""Organisation use cases: claim by credit code, join requests, colleagues, ownership, profile edits.

Nobody is added to an organisation without consenting: colleagues are invited (services.invitations).
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _g

from ..enums import JoinRequestState, OrgRole, OrgVerification, VerificationKind
from ..models import JoinRequest, Organization, OrganizationMember
from ..permissions import can
from ..validators import credit_code_errors, normalize_credit_code
from .applications import ServiceError, require
from .audit import log_event


def find_by_credit_code(credit_code):
    return Organization.objects.filter(credit_code=normalize_credit_code(credit_code)).first()


def clean_credit_code(credit_code) -> str:
    code = normalize_credit_code(credit_code)
    errors = credit_code_errors(code)
    if errors:
        raise ServiceError(" ".join(errors), field="credit_code")
    return code


def create_organization(user, credit_code, name, **facts):
    """Register a new organisation with `user` as its owner, unverified, with a verification case opened for them
    to prove it; refuses a code that is already registered."""
    code = clean_credit_code(credit_code)
    name = (name or "").strip()
    if not name:
        raise ServiceError(_g("Enter the organisation's registered name."), field="name")
    if len(name) > 200:
        raise ServiceError(_g("The name can have at most 200 characters."), field="name")
    from .eligibility import location_from_code

    for key, value in location_from_code(code).items():
        facts.setdefault(key, value)  # the code's region fills the location unless the caller stated one
    try:
        with transaction.atomic():
            organization = Organization.objects.create(credit_code=code, name=name, **facts)
            OrganizationMember.objects.create(organization=organization, user=user, role=OrgRole.OWNER)
            log_event("organization.created", actor=user, organization=organization,
                      data={"credit_code": code})
            from .verification import open_case

            open_case(user, organization)
    except IntegrityError:
        # Someone registered the same code a moment earlier.
        raise ServiceError(_g("An organisation with this credit code is already registered."),
                           code="duplicate", field="credit_code") from None
    return organization


def request_to_join(user, organization, message=""):
    """Ask the owner of an existing organisation to let `user` act for it."""
    message = (message or "").strip()
    if len(message) > 500:
        raise ServiceError(_g("The message can have at most 500 characters."), field="message")
    if organization.memberships_of_people.filter(user=user).exists():
        raise ServiceError(_g("You already act for this organisation."), code="duplicate")
    try:
        with transaction.atomic():
            join_request = JoinRequest.objects.create(organization=organization, user=user, message=message)
            log_event("organization.join_requested", actor=user, organization=organization,
                      data={"join_request": join_request.pk})
            from .notifications import notify_join_request

            notify_join_request(join_request)
    except IntegrityError:
        raise ServiceError(_g("You already asked to join this organisation; the owner has not answered yet."),
                           code="duplicate") from None
    return join_request


def claim_by_credit_code(user, credit_code, name="", message=""):
    """A new code creates the organisation with `user` as owner (unverified, with a verification case); a code of a
    verified organisation asks its owner to let them join; a code of an organisation nobody has proven yet opens
    a verification case for `user` (the organisation goes to whoever proves it).

    Returns (organization, join_request): join_request is None when the organisation was created or claimed.
    """
    code = clean_credit_code(credit_code)
    existing = find_by_credit_code(code)
    if existing is not None:
        if existing.verification == OrgVerification.UNVERIFIED and not existing.memberships_of_people.filter(
                user=user).exists():
            from .verification import open_case

            open_case(user, existing)
            return existing, None
        return existing, request_to_join(user, existing, message)
    return create_organization(user, code, name), None


def _decide(user, join_request, state):
    with transaction.atomic():
        join_request = JoinRequest.objects.select_for_update().select_related("organization", "user").get(
            pk=join_request.pk)
        require(can(user, "organization.manage_people", join_request.organization))
        if join_request.state != JoinRequestState.PENDING:
            raise ServiceError(_g("This request was already answered."), code="conflict")
        join_request.state = state
        join_request.decided_by = user
        join_request.decided_at = timezone.now()
        join_request.save()
        if state == JoinRequestState.APPROVED:
            OrganizationMember.objects.get_or_create(organization=join_request.organization, user=join_request.user,
                                                     defaults={"role": OrgRole.COLLEAGUE})
        log_event(f"organization.join_{state}", actor=user, organization=join_request.organization,
                  data={"join_request": join_request.pk, "person": f"user:{join_request.user_id}"})
        from .notifications import notify_join_decision

        notify_join_decision(join_request)
    return join_request


def approve_join_request(user, join_request):
    return _decide(user, join_request, JoinRequestState.APPROVED)


def decline_join_request(user, join_request):
    return _decide(user, join_request, JoinRequestState.DECLINED)


def remove_colleague(user, organization, person):
    """The owner removes a colleague; a colleague may also leave. The owner hands over before leaving."""
    if user.pk != person.pk:
        require(can(user, "organization.manage_people", organization))
    with transaction.atomic():
        link = OrganizationMember.objects.select_for_update().filter(organization=organization, user=person).first()
        if link is None:
            raise ServiceError(_g("This person does not act for the organisation."), code="not_found")
        if link.role == OrgRole.OWNER:
            raise ServiceError(_g("The owner cannot be removed; hand over ownership first."), code="owner")
        link.delete()
        log_event("organization.colleague_removed", actor=user, organization=organization,
                  data={"person": f"user:{person.pk}"})


def hand_over_ownership(user, organization, new_owner):
    """The owner makes a colleague the owner and stays on as a colleague."""
    require(can(user, "organization.manage_people", organization))
    with transaction.atomic():
        links = {link.user_id: link for link in OrganizationMember.objects.select_for_update().filter(
            organization=organization, user__in=[user, new_owner])}
        current, successor = links.get(user.pk), links.get(new_owner.pk)
        if current is None or current.role != OrgRole.OWNER:
            raise ServiceError(_g("Only the organisation's owner can do this."), code="forbidden")
        if successor is None or successor.pk == current.pk:
            raise ServiceError(_g("Choose a colleague who already acts for the organisation."), field="new_owner")
        # One owner at a time (a database constraint): step down first, then promote.
        current.role = OrgRole.COLLEAGUE
        current.save(update_fields=["role"])
        successor.role = OrgRole.OWNER
        successor.save(update_fields=["role"])
        log_event("organization.ownership_handed_over", actor=user, organization=organization,
                  data={"from": f"user:{user.pk}", "to": f"user:{new_owner.pk}"})
    for person in (user, new_owner):
        person.__dict__.pop("_org_role_cache", None)


def update_organization(user, organization, save):
    """Save edited facts of the organisation: `save(locked_org)` applies them (a validated form's save)."""
    require(can(user, "organization.edit", organization))
    with transaction.atomic():
        locked = Organization.objects.select_for_update().get(pk=organization.pk)
        before = {f: getattr(locked, f) for f in [*_AUDITED_FIELDS, "verification"]}
        result = save(locked)
        locked.refresh_from_db()
        changed = sorted(f for f in _AUDITED_FIELDS if getattr(locked, f) != before[f])
        if changed:
            log_event("organization.updated", actor=user, organization=locked, data={"fields": changed})
        if set(changed) & IDENTITY_FIELDS and before["verification"] == OrgVerification.VERIFIED:
            _reverify(user, locked, sorted(set(changed) & IDENTITY_FIELDS))
    return result


# A change of these is a change of who the organisation is: it is verified again before it may submit.
IDENTITY_FIELDS = {"name", "legal_representative"}


def _reverify(user, organization, fields):
    from .verification import open_case

    organization.verification = OrgVerification.UNVERIFIED
    organization.save(update_fields=["verification", "updated_at"])
    case = open_case(user, organization, kind=VerificationKind.IDENTITY_CHANGE,
                     legal_representative=organization.legal_representative)
    log_event("organization.identity_changed", actor=user, organization=organization,
              data={"fields": fields, "case": case.pk})


_AUDITED_FIELDS = ["name", "name_en", "org_type", "legal_representative", "registered_capital", "capital_currency",
                   "founded_on", "registered_address", "district_id", "province", "in_etown", "scale", "ownership",
                   "high_tech_certificate", "specialized_level", "website", "description"]
