"""Audit rows name people by a stable pseudonym; deleting the person deletes the link, and no row leads back."""

import json

import pytest
from django.contrib.auth.models import Group
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse

from partners.models import ActorPseudonym, AuditEvent, SecurityEvent, User
from partners.services import privacy, security, separation
from partners.services.audit import actor_pseudonym, log_event, log_security, pseudonymise_actor
from tests.factories import UserFactory, english_client, make_staff, submitted_application

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_with_fresh_cache")]




def rows_of(user_pk):
    return list(SecurityEvent.objects.filter(actor_id=user_pk)) + list(AuditEvent.objects.filter(actor_id=user_pk))


def everything_in_the_trails() -> str:
    """Every column of every audit row, as one text to search."""
    rows = [model_to_dict(e) for e in SecurityEvent.objects.all()] + [model_to_dict(e) for e in AuditEvent.objects.all()]
    return json.dumps(rows, default=str, ensure_ascii=False)


def test_rows_carry_the_pseudonym_not_the_email_and_the_screen_still_shows_who(applicant):
    log_security("auth.login", user=applicant, ip="192.0.2.1")
    log_event("application.created", actor=applicant)
    pseudonym = actor_pseudonym(applicant)
    assert pseudonym.startswith("psn-") and applicant.email not in pseudonym
    assert {e.actor_label for e in rows_of(applicant.pk)} == {pseudonym}
    assert applicant.email not in everything_in_the_trails()
    assert {e.who for e in rows_of(applicant.pk)} == {applicant.email}
    auditor = make_staff("audit_admin")
    client = english_client(auditor)
    page = client.get(reverse("security:audit_log"), {"actor": applicant.email}).content.decode()
    assert applicant.email in page and "auth.login" in page


def test_after_deletion_no_audit_row_leads_back_to_the_person(applicant):
    """The person logs in, fails a login, acts on an application and is given a role; then deletes the account."""
    applicant.display_name = "Zhang Unique-Name"
    applicant.phone = "13912345678"
    applicant.save()
    email = applicant.email
    client = Client(REMOTE_ADDR="192.0.2.7")
    client.post(reverse("account_login"), {"login": email, "password": "wrong-password-1"})
    client.force_login(applicant)
    submitted_application(applicant)
    log_event("application.noted", actor=applicant, data={"note": "x"})
    pseudonym = actor_pseudonym(applicant)
    # Keyed by trail and id: the two trails number their rows independently.
    before = {(e._meta.model_name, e.pk): e.actor_label for e in rows_of(applicant.pk)}
    assert len(before) >= 3 and set(before.values()) == {pseudonym}
    assert SecurityEvent.objects.filter(action="auth.login_failed", actor=applicant).exists()

    privacy.request_deletion(applicant)

    # The rows are unchanged (append-only), keep the same pseudonym, and name no one.
    assert {(e._meta.model_name, e.pk): e.actor_label for e in rows_of(applicant.pk)
            if (e._meta.model_name, e.pk) in before} == before
    assert not ActorPseudonym.objects.filter(pseudonym=pseudonym).exists()
    assert not ActorPseudonym.objects.filter(user_id=applicant.pk).exists()
    trails = everything_in_the_trails()
    for personal in (email, "Zhang Unique-Name", "13912345678"):
        assert personal not in trails, personal
    # What the rows still point at (the account number) holds nothing of the person any more.
    account = User.objects.get(pk=applicant.pk)
    assert account.email != email and not account.display_name and not account.phone
    assert {e.who for e in rows_of(applicant.pk) if (e._meta.model_name, e.pk) in before} == {pseudonym}


def test_pseudonymise_actor_deletes_the_link_and_a_later_event_gets_a_new_pseudonym():
    person = UserFactory()
    old = actor_pseudonym(person)
    assert actor_pseudonym(User.objects.get(pk=person.pk)) == old  # stable across requests
    assert pseudonymise_actor(person) == 1
    assert pseudonymise_actor(person) == 0
    event = log_security("auth.login", user=person)
    assert event.actor_label.startswith("psn-") and event.actor_label != old


def test_role_changes_and_their_refusals_name_the_actor_by_pseudonym():
    Membership = User.groups.through
    security_admin = make_staff("security_admin")
    person = UserFactory()
    separation.grant_role(security_admin, person, "reviewer")
    with security.acting_as(make_staff("system_admin")), pytest.raises(separation.SeparationOfDutiesError):
        Membership.objects.create(user=person, group=Group.objects.get(name="approver"))
    events = SecurityEvent.objects.filter(action="role.granted", actor__isnull=False)
    assert {e.result for e in events} == {"success", "refused"}
    for event in events:
        assert event.actor_label.startswith("psn-") and "@" not in event.actor_label
