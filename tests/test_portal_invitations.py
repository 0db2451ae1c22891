"""Nobody joins an organisation without consenting: the owner invites, the invited person accepts signed in."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from partners import workflow
from partners.enums import ApplicationState, InvitationState, OrgRole
from partners.models import AuditEvent, Notification, OrganizationInvitation, OrganizationMember
from partners.permissions import can_fire
from partners.services import delivery
from tests.factories import UserFactory, advance, english_client, submitted_application

pytestmark = pytest.mark.django_db


def role_of(user, organization):
    link = OrganizationMember.objects.filter(user=user, organization=organization).first()
    return link.role if link else None


def invite(client, organization, email, title=""):
    return client.post(reverse("portal:colleague_add", args=[organization.pk]), {"email": email, "title": title})


def answer_of(client, response):
    """What the owner is told: status, where they are sent, and the messages of the page they land on."""
    landed = client.get(response["Location"])
    shown = [str(m) for m in get_messages(landed.wsgi_request)]
    return response.status_code, response.get("Location"), shown


def test_an_invited_person_joins_only_when_they_accept(applicant, organization):
    colleague = UserFactory(email="colleague@example.com")
    owner = english_client(applicant)
    response = invite(owner, organization, "Colleague@Example.com", "经理")
    assert response.status_code == 302
    assert role_of(colleague, organization) is None  # not asked yet: not a member
    invitation = OrganizationInvitation.objects.get(organization=organization)
    assert invitation.email == "colleague@example.com" and invitation.state == InvitationState.PENDING
    assert AuditEvent.objects.filter(organization=organization, action="organization.colleague_invited").exists()
    mail = Notification.objects.get(template_key="account.invitation")
    assert mail.recipient == colleague
    # The owner sees the pending invitation and may withdraw it.
    page = owner.get(reverse("portal:organization", args=[organization.pk]))
    assert "colleague@example.com" in page.content.decode()
    assert reverse("portal:invitation_revoke", args=[organization.pk, invitation.pk]) in page.content.decode()

    invited = english_client(colleague)
    home = invited.get(reverse("portal:home"))  # someone without an organisation is not sent away to claim one
    assert home.status_code == 200 and organization.name in home.content.decode()
    listing = invited.get(reverse("portal:invitations"))
    assert organization.name in listing.content.decode()
    response = invited.post(reverse("portal:invitation_answer", args=[invitation.pk, "accept"]))
    assert response.status_code == 302
    assert role_of(colleague, organization) == OrgRole.COLLEAGUE
    assert OrganizationMember.objects.get(user=colleague, organization=organization).title == "经理"
    invitation.refresh_from_db()
    assert invitation.state == InvitationState.ACCEPTED and invitation.answered_by == colleague
    assert AuditEvent.objects.filter(organization=organization, action="organization.invitation_accepted",
                                     actor=colleague).exists()
    # Answered once: a second answer is refused, not a 500.
    again = invited.post(reverse("portal:invitation_answer", args=[invitation.pk, "decline"]))
    assert again.status_code == 404


def test_declining_leaves_the_organisation_unchanged(applicant, organization):
    colleague = UserFactory()
    invite(english_client(applicant), organization, colleague.email)
    invitation = OrganizationInvitation.objects.get(organization=organization)
    response = english_client(colleague).post(reverse("portal:invitation_answer", args=[invitation.pk, "decline"]))
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.state == InvitationState.DECLINED
    assert role_of(colleague, organization) is None
    assert AuditEvent.objects.filter(action="organization.invitation_declined").exists()


def test_known_unknown_and_staff_addresses_get_the_same_answer(applicant, organization, approver):
    known = UserFactory(email="known@example.com")
    owner = english_client(applicant)
    answers = [answer_of(owner, invite(owner, organization, email))
               for email in ("known@example.com", "nobody-yet@example.com", approver.email)]
    statuses = {a[0] for a in answers}
    locations = {a[1] for a in answers}
    assert statuses == {302} and len(locations) == 1
    texts = [a[2][0].replace(email, "<e>") for a, email in
             zip(answers, ("known@example.com", "nobody-yet@example.com", approver.email), strict=True)]
    assert len(set(texts)) == 1, texts
    assert OrganizationInvitation.objects.filter(organization=organization).count() == 3
    # The known address is mailed to its account; the unknown one is invited to sign up; staff are never mailed.
    assert Notification.objects.get(template_key="account.invitation", recipient=known)
    signup = Notification.objects.get(template_key="account.invitation", email="nobody-yet@example.com")
    assert signup.recipient is None
    subject, text, _html = delivery.render(signup)
    assert organization.name in subject
    assert reverse("account_signup") in text
    assert not Notification.objects.filter(template_key="account.invitation", email=approver.email).exists()
    assert role_of(known, organization) is None


def test_an_invitation_to_a_new_address_waits_for_the_person_who_signs_up_with_it(applicant, organization):
    invite(english_client(applicant), organization, "later@example.com")
    invitation = OrganizationInvitation.objects.get(organization=organization)
    # Someone who claims the address without confirming it does not get the invitation.
    unverified = UserFactory(email="later@example.com", verified=False)
    client = english_client(unverified)
    assert organization.name not in client.get(reverse("portal:invitations")).content.decode()
    assert client.post(reverse("portal:invitation_answer", args=[invitation.pk, "accept"])).status_code == 404
    assert role_of(unverified, organization) is None
    # Once the address is confirmed, the invitation is theirs to accept.
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=unverified, email="later@example.com", verified=True, primary=True)
    assert client.post(reverse("portal:invitation_answer", args=[invitation.pk, "accept"])).status_code == 302
    assert role_of(unverified, organization) == OrgRole.COLLEAGUE


def test_nobody_else_can_answer_an_invitation(applicant, organization, other_applicant):
    invited = UserFactory()
    invite(english_client(applicant), organization, invited.email)
    invitation = OrganizationInvitation.objects.get(organization=organization)
    for person in (other_applicant, applicant):
        response = english_client(person).post(reverse("portal:invitation_answer", args=[invitation.pk, "accept"]))
        assert response.status_code == 404
        assert role_of(other_applicant, organization) is None
    assert english_client(invited).post(
        reverse("portal:invitation_answer", args=[invitation.pk, "maybe"])).status_code == 400


def test_staff_accounts_cannot_be_invited_into_an_organisation(applicant, organization, approver):
    invite(english_client(applicant), organization, approver.email)
    invitation = OrganizationInvitation.objects.get(organization=organization)
    response = english_client(approver).post(reverse("portal:invitation_answer", args=[invitation.pk, "accept"]))
    assert response.status_code == 403
    assert "Staff accounts" in response.content.decode()
    assert role_of(approver, organization) is None
    invitation.refresh_from_db()
    assert invitation.state == InvitationState.PENDING


def test_an_invited_approver_still_decides_the_application(applicant, organization, reviewer, approver):
    """Four eyes counts only memberships the approver accepted: an applicant cannot remove the deciders."""
    application = advance(submitted_application(applicant), ApplicationState.FINAL_REVIEW, reviewer=reviewer)
    response = invite(english_client(applicant), organization, approver.email)
    assert response.status_code == 302
    approve = workflow.get_transition(ApplicationState.FINAL_REVIEW, "approve")
    assert can_fire(approver, approve, application).allowed
    assert "approve" in [t.action for t in workflow.available_actions(application, approver)]
    workflow.fire(application.pk, "approve", workflow.Actor(user=approver),
                  granted_types=application.partner_types)
    application.refresh_from_db()
    assert application.state == ApplicationState.PUBLICITY


def test_the_owner_withdraws_an_invitation(applicant, organization, other_applicant):
    colleague, invited = UserFactory(), UserFactory()
    OrganizationMember.objects.create(organization=organization, user=colleague, role=OrgRole.COLLEAGUE)
    invite(english_client(applicant), organization, invited.email)
    invitation = OrganizationInvitation.objects.get(organization=organization)
    url = reverse("portal:invitation_revoke", args=[organization.pk, invitation.pk])
    assert english_client(colleague).post(url).status_code == 403
    assert english_client(other_applicant).post(url).status_code == 404
    assert english_client(applicant).post(url).status_code == 302
    invitation.refresh_from_db()
    assert invitation.state == InvitationState.REVOKED
    assert AuditEvent.objects.filter(action="organization.invitation_revoked").exists()
    response = english_client(invited).post(reverse("portal:invitation_answer", args=[invitation.pk, "accept"]))
    assert response.status_code == 404
    assert role_of(invited, organization) is None
    assert english_client(applicant).post(url).status_code == 409  # already withdrawn: told, not a 500


def test_inviting_twice_keeps_one_invitation_and_an_expired_one_cannot_be_accepted(applicant, organization):
    invited = UserFactory()
    owner = english_client(applicant)
    assert invite(owner, organization, invited.email).status_code == 302
    assert invite(owner, organization, invited.email.upper()).status_code == 302
    invitation = OrganizationInvitation.objects.get(organization=organization)
    OrganizationInvitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    client = english_client(invited)
    assert organization.name not in client.get(reverse("portal:invitations")).content.decode()
    assert client.post(reverse("portal:invitation_answer", args=[invitation.pk, "accept"])).status_code == 404
    assert role_of(invited, organization) is None
    # A new invitation replaces the expired one.
    assert invite(owner, organization, invited.email).status_code == 302
    assert OrganizationInvitation.objects.filter(organization=organization, state=InvitationState.PENDING,
                                                 expires_at__gt=timezone.now()).count() == 1


@pytest.mark.parametrize("email", ["not-an-address", "", "a@b", "x" * 300 + "@example.com"])
def test_a_bad_address_is_a_form_error(applicant, organization, email):
    response = invite(english_client(applicant), organization, email)
    assert response.status_code == 400
    assert not OrganizationInvitation.objects.exists()


def test_a_member_is_not_invited_again(applicant, organization):
    colleague = UserFactory()
    OrganizationMember.objects.create(organization=organization, user=colleague, role=OrgRole.COLLEAGUE)
    response = invite(english_client(applicant), organization, colleague.email)
    assert response.status_code == 409
    assert "already acts" in response.content.decode()
    assert not OrganizationInvitation.objects.exists()


def test_open_invitations_are_capped_so_the_registry_mails_no_crowd(applicant, organization, settings):
    from partners.services import invitations

    owner = english_client(applicant)
    for n in range(invitations.MAX_OPEN_INVITATIONS):
        assert invite(owner, organization, f"crowd{n}@example.com").status_code == 302
    response = invite(owner, organization, "one-more@example.com")
    assert response.status_code == 409
    assert "Withdraw some" in response.content.decode()
    assert not OrganizationInvitation.objects.filter(email="one-more@example.com").exists()
    assert invite(owner, organization, "crowd0@example.com").status_code == 302  # the same one again: as before
