"""Invitations to act for an organisation: the owner invites, the invited person accepts or declines."""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _g

from ..enums import InvitationState, JoinRequestState, OrgRole, StaffRole
from ..models import JoinRequest, OrganizationInvitation, OrganizationMember, User
from ..permissions import can
from .applications import ServiceError, require
from .audit import log_event

# Open invitations per organisation: enough for any team, too few to use the registry to mail strangers.
MAX_OPEN_INVITATIONS = 20


def is_staff_account(user) -> bool:
    """Staff of the plan office in any role (or with admin rights): they never act for an organisation."""
    if user is None:
        return False
    return bool(user.is_staff or user.is_superuser
                or user.groups.filter(name__in=StaffRole.values).exists())


def verified_emails(user) -> list[str]:
    from allauth.account.models import EmailAddress

    if not user or not user.is_authenticated:
        return []
    return [e.lower() for e in EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)]


def clean_email(email) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ServiceError(_g("Enter a valid e-mail address."), field="email") from None
    if len(email) > 254:
        raise ServiceError(_g("Enter a valid e-mail address."), field="email")
    return email


def invite_colleague(user, organization, email, title=""):
    """The owner invites a person by e-mail; nothing changes until that person accepts.

    The answer is the same whether or not the address has an account (or is a staff account): the owner must
    not learn who is registered. Staff are never mailed and can never accept.
    """
    require(can(user, "organization.manage_people", organization))
    email = clean_email(email)
    title = (title or "").strip()[:50]
    if organization.memberships_of_people.filter(user__email__iexact=email).exists():
        # The owner sees the people of the organisation anyway: this tells nothing new.
        raise ServiceError(_g("%(who)s already acts for this organisation.") % {"who": email},
                           code="duplicate", field="email")
    person = User.objects.filter(email__iexact=email, is_active=True).first()
    pending = OrganizationInvitation.objects.filter(organization=organization, state=InvitationState.PENDING)
    # An expired invitation gives way to the new one.
    pending.filter(expires_at__lte=timezone.now()).update(state=InvitationState.REVOKED)
    if not pending.filter(email=email).exists() and pending.count() >= MAX_OPEN_INVITATIONS:
        raise ServiceError(_g("This organisation has %(n)d invitations not answered yet. Withdraw some before "
                              "inviting more.") % {"n": MAX_OPEN_INVITATIONS}, code="conflict", field="email")
    try:
        with transaction.atomic():
            invitation = OrganizationInvitation.objects.create(
                organization=organization, email=email, title=title, invited_by=user)
            log_event("organization.colleague_invited", actor=user, organization=organization,
                      data={"invitation": invitation.pk, "email": email})
            if person is None or not is_staff_account(person):
                from .notifications import notify_invitation

                notify_invitation(invitation, person)
    except IntegrityError:
        # Invited before and not answered yet: the same invitation stands, the same answer is given.
        invitation = OrganizationInvitation.objects.get(organization=organization, email=email,
                                                        state=InvitationState.PENDING)
    return invitation


def pending_for(user):
    """The pending, unexpired invitations addressed to one of the person's verified e-mail addresses."""
    emails = verified_emails(user)
    if not emails:
        return OrganizationInvitation.objects.none()
    return (OrganizationInvitation.objects.filter(email__in=emails, state=InvitationState.PENDING,
                                                  expires_at__gt=timezone.now())
            .select_related("organization", "invited_by").order_by("-created_at"))


def _locked_for(user, invitation):
    invitation = OrganizationInvitation.objects.select_for_update().select_related("organization").get(
        pk=invitation.pk)
    if invitation.email.lower() not in verified_emails(user):
        raise ServiceError(_g("This invitation is not addressed to you."), code="not_found")
    if invitation.state != InvitationState.PENDING:
        raise ServiceError(_g("This invitation was already answered or withdrawn."), code="conflict")
    if invitation.expired:
        raise ServiceError(_g("This invitation has expired. Ask the organisation's owner to invite you again."),
                           code="conflict")
    return invitation


def _answer(invitation, user, state):
    invitation.state = state
    invitation.answered_by = user
    invitation.answered_at = timezone.now()
    invitation.save(update_fields=["state", "answered_by", "answered_at"])


def accept_invitation(user, invitation):
    """The signed-in person with the invited, verified address accepts: from now on they act for it."""
    if not user or not user.is_authenticated or not user.is_active:
        raise ServiceError(_g("Please log in."), code="forbidden")
    if is_staff_account(user):
        raise ServiceError(_g("Staff accounts of the plan office cannot act for an organisation."),
                           code="forbidden")
    with transaction.atomic():
        invitation = _locked_for(user, invitation)
        organization = invitation.organization
        link, _created = OrganizationMember.objects.get_or_create(
            organization=organization, user=user, defaults={"role": OrgRole.COLLEAGUE, "title": invitation.title})
        _answer(invitation, user, InvitationState.ACCEPTED)
        # A request of their own to join is answered by this acceptance.
        JoinRequest.objects.filter(organization=organization, user=user, state=JoinRequestState.PENDING).update(
            state=JoinRequestState.APPROVED, decided_by=invitation.invited_by, decided_at=timezone.now())
        log_event("organization.invitation_accepted", actor=user, organization=organization,
                  data={"invitation": invitation.pk, "person": user.email})
    user.__dict__.pop("_org_role_cache", None)
    return link


def decline_invitation(user, invitation):
    with transaction.atomic():
        invitation = _locked_for(user, invitation)
        _answer(invitation, user, InvitationState.DECLINED)
        log_event("organization.invitation_declined", actor=user, organization=invitation.organization,
                  data={"invitation": invitation.pk, "person": user.email})
    return invitation


def revoke_invitation(user, invitation):
    """The owner withdraws an invitation that was not answered yet."""
    with transaction.atomic():
        invitation = OrganizationInvitation.objects.select_for_update().select_related("organization").get(
            pk=invitation.pk)
        require(can(user, "organization.manage_people", invitation.organization))
        if invitation.state != InvitationState.PENDING:
            raise ServiceError(_g("This invitation was already answered or withdrawn."), code="conflict")
        _answer(invitation, user, InvitationState.REVOKED)
        log_event("organization.invitation_revoked", actor=user, organization=invitation.organization,
                  data={"invitation": invitation.pk, "email": invitation.email})
    return invitation
