"""等保 身份鉴别 and 访问控制: password policy, expiry and history, lockout, MFA enforcement, idle timeout, one session."""

import time
from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from partners.middleware import LAST_SEEN
from partners.models import PasswordHistory, SecurityEvent, StaffSession, User
from tests.factories import PASSWORD, UserFactory, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):  # messages are asserted in their English msgids
        yield
NEW_PASSWORDS = ["Amber-Falcon-71-west", "Cobalt-Heron-52-east", "Dusky-Otter-33-north", "Ember-Lynx-94-south",
                 "Fjord-Raven-15-delta"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # allauth rate limits and used TOTP codes live in the cache
    yield
    cache.clear()


def english_client():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def login(client, email, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def events(action, **filters):
    return SecurityEvent.objects.filter(action=action, **filters)


def totp_code(user):
    secret = TOTP(Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)).instance.data["secret"]
    from allauth.mfa.utils import decrypt

    return format_hotp_value(hotp_value(decrypt(secret), int(time.time()) // 30))


# --- Password policy ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("password", "codes"), [
    ("Short-1a", {"password_too_short"}),
    ("password1234", {"password_too_common"}),
    ("alllowercaseletters", {"password_too_simple"}),
    ("Someone@Example.com", {"password_is_email", "password_too_similar"}),
])
def test_password_policy_refuses_weak_passwords(password, codes):
    user = User(email="someone@example.com")
    with pytest.raises(ValidationError) as info:
        validate_password(password, user)
    assert codes & {e.code for e in info.value.error_list}


def test_staff_cannot_reuse_the_last_five_passwords_but_may_reuse_older():
    staff = make_staff("reviewer", email="history@example.com")
    for password in NEW_PASSWORDS:
        validate_password(password, staff)
        staff.set_password(password)
        staff.save()
    assert PasswordHistory.objects.filter(user=staff).count() == 5
    for recent in NEW_PASSWORDS:
        with pytest.raises(ValidationError) as info:
            validate_password(recent, staff)
        assert "password_reused" in {e.code for e in info.value.error_list}
    validate_password(PASSWORD, staff)  # the sixth password back is allowed again
    applicant = UserFactory()
    validate_password(PASSWORD, applicant)  # applicants are not bound by the history rule


def test_password_change_is_recorded_and_audited():
    staff = make_staff("reviewer")
    staff.password_changed_at = timezone.now() - timedelta(days=10)
    staff.save()
    staff.set_password(NEW_PASSWORDS[0])
    staff.save()
    staff.refresh_from_db()
    assert staff.password_changed_at > timezone.now() - timedelta(minutes=1)
    assert events("auth.password_changed", object_ref=f"user:{staff.pk}").exists()


# --- Password expiry ---------------------------------------------------------------------------------

def test_expired_staff_password_allows_only_the_change_page(settings):
    settings.PASSWORD_EXPIRY_ENFORCED = True
    staff = make_staff("reviewer", email="expired@example.com")
    User.objects.filter(pk=staff.pk).update(password_changed_at=timezone.now() - timedelta(days=91))
    client = english_client()
    assert login(client, staff.email).status_code == 302
    response = client.get(reverse("review:dashboard"))
    assert response.status_code == 302 and response["Location"] == reverse("account_change_password")
    assert client.get(reverse("account_change_password")).status_code == 200

    # Reusing the current password is refused; a new one lifts the gate.
    response = client.post(reverse("account_change_password"), {
        "oldpassword": PASSWORD, "password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 200
    assert "used this password recently" in response.content.decode()
    response = client.post(reverse("account_change_password"), {
        "oldpassword": PASSWORD, "password1": NEW_PASSWORDS[0], "password2": NEW_PASSWORDS[0]})
    assert response.status_code == 302
    assert client.get(reverse("review:dashboard")).status_code == 200
    assert events("auth.password_changed", object_ref=f"user:{staff.pk}").exists()


def test_applicant_passwords_do_not_expire(settings, applicant):
    settings.PASSWORD_EXPIRY_ENFORCED = True
    User.objects.filter(pk=applicant.pk).update(password_changed_at=timezone.now() - timedelta(days=400))
    client = english_client()
    client.force_login(applicant)
    assert client.get(reverse("portal:home")).status_code == 200


def test_expiry_follows_the_configured_days(settings):
    from partners.services.security import password_expired

    settings.PASSWORD_EXPIRY_ENFORCED = True
    settings.STAFF_PASSWORD_EXPIRY_DAYS = 30
    staff = make_staff("approver")
    staff.password_changed_at = timezone.now() - timedelta(days=31)
    assert password_expired(staff)
    staff.password_changed_at = timezone.now() - timedelta(days=29)
    assert not password_expired(staff)


# --- Lockout with a warning --------------------------------------------------------------------------

@pytest.mark.parametrize("role", [None, "reviewer"])
def test_failed_logins_warn_then_lock_the_account(settings, role):
    settings.AXES_FAILURE_LIMIT = 3
    person = make_staff(role, email="lock@example.com") if role else UserFactory(email="lock@example.com")
    client = english_client()
    first = login(client, person.email, "Wrong-Password-1")
    assert first.status_code == 200
    assert ("2 attempts left before logins to this account from your address are locked for 30 minutes"
            in first.content.decode())
    second = login(client, person.email, "Wrong-Password-2")
    assert "1 attempt left" in second.content.decode()
    third = login(client, person.email, "Wrong-Password-3")
    assert third.status_code == 429
    assert "locked for 30 minutes" in third.content.decode()
    # Even the right password is refused while locked, from this address; another address is not locked.
    assert login(client, person.email).status_code == 429
    assert "_auth_user_id" not in client.session
    other = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="10.1.2.3")
    assert login(other, person.email).status_code == 302
    assert "_auth_user_id" in other.session
    assert events("auth.login_failed", actor=person, result="failure").count() >= 3
    locked = events("auth.locked_out", actor=person).order_by("id").first()
    assert locked.source_ip == "127.0.0.1" and locked.object_ref == f"user:{person.pk}"


def test_security_admin_unlocks_a_locked_account(settings):
    from partners.services.security import unlock_account

    settings.AXES_FAILURE_LIMIT = 2
    person = UserFactory(email="unlock@example.com")
    client = english_client()
    login(client, person.email, "Wrong-Password-1")
    assert login(client, person.email, "Wrong-Password-2").status_code == 429
    security_admin = make_staff("security_admin")
    with pytest.raises(Exception, match="security administrator"):
        unlock_account(make_staff("system_admin"), person)
    assert unlock_account(security_admin, person) >= 1
    assert login(client, person.email).status_code == 302
    assert events("auth.unlocked", actor=security_admin, object_ref=f"user:{person.pk}").exists()


# --- Login, logout, audit ----------------------------------------------------------------------------

def test_login_and_logout_are_audited_with_source_ip(applicant):
    client = Client(REMOTE_ADDR="203.0.113.9")
    assert login(client, applicant.email).status_code == 302
    event = events("auth.login", actor=applicant).get()
    assert event.source_ip == "203.0.113.9" and event.result == "success" and event.who == applicant.email
    from django.contrib.sessions.models import Session

    key = client.session.session_key
    client.post(reverse("account_logout"))
    assert events("auth.logout", actor=applicant, source_ip="203.0.113.9").exists()
    assert not Session.objects.filter(pk=key).exists()  # the session's data is gone with the logout


# --- Two-factor authentication -----------------------------------------------------------------------

def test_staff_without_a_second_factor_can_only_reach_the_set_up(settings):
    settings.MFA_REQUIRED_FOR_STAFF = True
    staff = make_staff("reviewer", email="mfa@example.com")
    client = english_client()
    assert login(client, staff.email).status_code == 302
    for url in (reverse("review:dashboard"), reverse("portal:home"), reverse("privacy:my_data")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp"), url
    # allauth asks for the password again before a second factor is added; that page is open too.
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 302 and page["Location"].startswith(reverse("account_reauthenticate"))
    assert client.get(page["Location"]).status_code == 200
    assert client.post(reverse("account_logout")).status_code == 302  # logout always works


def test_staff_sets_up_totp_and_recovery_codes_and_the_change_is_audited(settings, django_capture_on_commit_callbacks):
    settings.MFA_REQUIRED_FOR_STAFF = True
    staff = make_staff("approver", email="totp@example.com")
    client = english_client()
    login(client, staff.email)
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = client.session["mfa.totp.secret"]
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    with django_capture_on_commit_callbacks(execute=True):  # allauth signals the change after commit
        response = client.post(reverse("mfa_activate_totp"), {"code": code})
    assert response.status_code == 302, page.content.decode()[:500]
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists()
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.RECOVERY_CODES).exists()
    assert events("mfa.added", actor=staff).exists()
    assert client.get(reverse("review:dashboard")).status_code == 200


def _activate_totp(client, staff, capture):
    login(client, staff.email)
    assert client.post(reverse("account_reauthenticate"), {"password": PASSWORD}).status_code == 302
    client.get(reverse("mfa_activate_totp"))
    code = format_hotp_value(hotp_value(client.session["mfa.totp.secret"], int(time.time()) // 30))
    with capture(execute=True):
        return client.post(reverse("mfa_activate_totp"), {"code": code})


def test_first_totp_set_up_shows_the_recovery_codes_and_offers_their_download(
        settings, django_capture_on_commit_callbacks):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    settings.MFA_REQUIRED_FOR_STAFF = True
    staff = make_staff("approver", email="codes@example.com")
    client = english_client()
    response = _activate_totp(client, staff, django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response["Location"] == reverse("mfa_view_recovery_codes")
    codes = RecoveryCodes(Authenticator.objects.get(user=staff, type=Authenticator.Type.RECOVERY_CODES))
    unused = codes.get_unused_codes()
    assert len(unused) >= 8
    page = client.get(response["Location"])
    assert page.status_code == 200
    text = page.content.decode()
    assert all(code in text for code in unused), "the new recovery codes are not shown"
    assert reverse("mfa_download_recovery_codes") in text
    download = client.get(reverse("mfa_download_recovery_codes"))
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    assert all(code in download.content.decode() for code in unused)


def test_staff_account_page_shows_password_second_factor_and_recovery_codes(
        settings, django_capture_on_commit_callbacks):
    settings.MFA_REQUIRED_FOR_STAFF = True
    settings.PASSWORD_EXPIRY_ENFORCED = True
    staff = make_staff("reviewer", email="account-page@example.com")
    client = english_client()
    _activate_totp(client, staff, django_capture_on_commit_callbacks)
    home = client.get(reverse("review:dashboard")).content.decode()
    assert reverse("privacy:account") in home, "staff have no link to their account page"
    page = client.get(reverse("privacy:account"))
    assert page.status_code == 200
    text = page.content.decode()
    for url in ("account_change_password", "mfa_view_recovery_codes", "mfa_download_recovery_codes",
                "mfa_generate_recovery_codes"):
        assert reverse(url) in text, url
    # The page shows the day in Beijing time, which is a day ahead of UTC before eight in the morning.
    expires = timezone.localtime(staff.password_changed_at + timedelta(days=90)).strftime("%Y-%m-%d")
    assert f"yours on {expires}" in text
    assert "Set up on" in text and "unused recovery codes left" in text
    # Staff keep their second factor: the page offers no removal, only a reset by the security administrator.
    assert reverse("mfa_deactivate_totp") not in text
    assert "Started" in text and "127.0.0.1" in text
    # Every link on the page opens for the staff member.
    for url in ("account_change_password", "mfa_view_recovery_codes", "mfa_generate_recovery_codes"):
        assert client.get(reverse(url)).status_code == 200, url


def test_account_page_needs_a_login():
    response = english_client().get(reverse("privacy:account"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_login_of_staff_with_totp_asks_for_the_code(settings):
    settings.MFA_REQUIRED_FOR_STAFF = True
    staff = make_staff("reviewer", email="second@example.com")
    TOTP.activate(staff, generate_totp_secret())
    client = english_client()
    response = login(client, staff.email)
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200
    assert events("mfa.failed", actor=staff).exists()
    assert client.post(reverse("mfa_authenticate"), {"code": totp_code(staff)}).status_code == 302
    assert client.get(reverse("review:dashboard")).status_code == 200


def test_a_login_that_skipped_the_second_factor_is_ended(settings):
    """The admin's own login form asks only for the password: such a session cannot be used."""
    settings.MFA_REQUIRED_FOR_STAFF = True
    staff = make_staff("system_admin", email="admin-form@example.com")
    User.objects.filter(pk=staff.pk).update(is_staff=True)
    TOTP.activate(staff, generate_totp_secret())
    client = english_client()
    client.post(reverse("admin:login"), {"username": staff.email, "password": PASSWORD})
    assert "_auth_user_id" in client.session  # the password alone logged in
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session
    assert events("auth.logout", actor=staff, data__reason="mfa_not_used").exists()


def test_security_admin_resets_a_lost_second_factor(settings):
    from partners.services.security import reset_mfa

    staff = make_staff("reviewer")
    TOTP.activate(staff, generate_totp_secret())
    security_admin = make_staff("security_admin")
    with pytest.raises(Exception, match="own"):
        reset_mfa(security_admin, security_admin)
    assert reset_mfa(security_admin, staff) == 1
    assert not Authenticator.objects.filter(user=staff).exists()
    assert events("mfa.reset", actor=security_admin, object_ref=f"user:{staff.pk}").exists()


def test_mfa_gate_leaves_applicants_alone(settings, applicant):
    settings.MFA_REQUIRED_FOR_STAFF = True
    client = english_client()
    client.force_login(applicant)
    assert client.get(reverse("portal:home")).status_code == 200


def test_api_answers_403_instead_of_redirecting(settings):
    settings.MFA_REQUIRED_FOR_STAFF = True
    staff = make_staff("reviewer")
    client = english_client()
    client.force_login(staff)
    response = client.get("/api/v1/")
    assert response.status_code == 403
    body = response.json()  # the API's one error shape
    assert body["code"] == "mfa_required" and "two-factor" in body["message"] and body["fields"] == {}


# --- Sessions ----------------------------------------------------------------------------------------

def _age_session(client, minutes):
    session = client.session
    session[LAST_SEEN] = int(time.time()) - minutes * 60
    session.save()


def test_idle_staff_session_ends_after_thirty_minutes():
    staff = make_staff("reviewer")
    client = english_client()
    client.force_login(staff)
    assert client.get(reverse("review:dashboard")).status_code == 200
    _age_session(client, 29)
    assert client.get(reverse("review:dashboard")).status_code == 200
    _age_session(client, 31)
    response = client.get(reverse("review:dashboard"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session
    assert events("auth.logout", actor=staff, data__reason="idle_timeout").exists()


def test_applicant_idle_limit_is_longer_and_configurable(settings, applicant):
    client = english_client()
    client.force_login(applicant)
    client.get(reverse("portal:home"))
    _age_session(client, 31)
    assert client.get(reverse("portal:home")).status_code == 200
    settings.SESSION_IDLE_MINUTES = 10
    _age_session(client, 11)
    assert client.get(reverse("portal:home")).status_code == 302


def test_second_login_of_a_staff_account_ends_the_first_session():
    staff = make_staff("reviewer", email="twice@example.com")
    first, second = english_client(), Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="198.51.100.7")
    assert login(first, staff.email).status_code == 302
    assert first.get(reverse("review:dashboard")).status_code == 200
    assert login(second, staff.email).status_code == 302
    assert StaffSession.objects.get(user=staff).session_key.endswith(":" + second.session.session_key)
    response = first.get(reverse("review:dashboard"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert second.get(reverse("review:dashboard")).status_code == 200
    replaced = events("session.replaced", actor=staff).get()
    assert replaced.source_ip == "198.51.100.7" and replaced.data["previous_ip"] == "127.0.0.1"


def test_a_replaced_staff_session_is_logged_out_with_the_reason_and_the_browser_is_told_why():
    from django.contrib.sessions.models import Session

    from partners.services.security import REPLACED_SESSION_MARKER

    staff = make_staff("reviewer", email="replaced@example.com")
    first, second = english_client(), Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="198.51.100.7")
    assert login(first, staff.email).status_code == 302
    old_key = first.session.session_key
    assert login(second, staff.email).status_code == 302
    # Logged out at the moment of the new login, from the replaced session's address, even if it never returns.
    logout = events("auth.logout", actor=staff, data__reason="replaced").get()
    assert logout.source_ip == "127.0.0.1"
    # Nothing of the replaced session is left but the marker that explains the sign-out.
    assert Session.objects.get(pk=old_key).get_decoded() == {REPLACED_SESSION_MARKER: 1}
    response = first.get(reverse("review:dashboard"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))
    assert "Your account logged in somewhere else, so this session was ended." in response.content.decode()
    assert not Session.objects.filter(pk=old_key).exists()
    # Told once: the next page says nothing more.
    assert "logged in somewhere else" not in first.get(reverse("account_login")).content.decode()
    assert second.get(reverse("review:dashboard")).status_code == 200


def test_applicants_may_have_several_sessions(applicant):
    first, second = english_client(), english_client()
    login(first, applicant.email)
    login(second, applicant.email)
    assert first.get(reverse("portal:home")).status_code == 200
    assert not StaffSession.objects.filter(user=applicant).exists()


def test_regenerated_recovery_codes_and_a_removed_second_factor_are_audited(
        settings, django_capture_on_commit_callbacks, applicant):
    settings.MFA_REQUIRED_FOR_STAFF = True
    staff = make_staff("approver", email="regenerate@example.com")
    client = english_client()
    _activate_totp(client, staff, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mfa_generate_recovery_codes"))
    assert response.status_code == 302
    assert events("mfa.recovery_codes_reset", actor=staff, object_ref=f"user:{staff.pk}").exists()
    # Applicants may remove their own second factor; the removal is in the security log.
    person = english_client()
    _activate_totp(person, applicant, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        response = person.post(reverse("mfa_deactivate_totp"))
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=applicant, type=Authenticator.Type.TOTP).exists()
    assert events("mfa.removed", actor=applicant, object_ref=f"user:{applicant.pk}").exists()

