"""Nobody locks out somebody else: lockout per (name, address), growing delays per name, audited unlocks."""

import io
import time

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from partners.models import SecurityEvent
from partners.services import login_delay
from tests.factories import PASSWORD, UserFactory, make_staff

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.9"
HOME = "10.20.30.40"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # allauth's rate limits and the login delays live in the cache
    yield
    cache.clear()


def client_from(address, language="en"):
    return Client(REMOTE_ADDR=address, HTTP_ACCEPT_LANGUAGE=language)


def login(client, email, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def logged_in(client):
    return "_auth_user_id" in client.session


def wait_out_the_delay(email):
    """What time does, without sleeping: the name's next allowed time moves into the past."""
    state = login_delay.state(email)
    login_delay.store(email, state["failures"], time.time() - 1)


def test_a_stranger_cannot_lock_out_the_security_administrator(settings):
    settings.AXES_FAILURE_LIMIT = 5
    security_admin = make_staff("security_admin", email="secadmin@example.com")
    attacker = client_from(ATTACKER)
    for n in range(5):
        login(attacker, security_admin.email, f"Guess-{n}-wrong")
    assert login(attacker, security_admin.email).status_code == 429  # the attacker's address is locked
    home = client_from(HOME)
    assert login(home, security_admin.email).status_code == 302 and logged_in(home)
    home.logout()

    # Guessing on from many addresses only slows the name down: the right password gets in after the wait.
    for n in range(settings.LOGIN_DELAY_FREE_FAILURES + 1):
        login(client_from(f"203.0.113.{20 + n}"), security_admin.email, f"Guess-{n}-again")
    delayed = login(home, security_admin.email)
    assert delayed.status_code == 200 and not logged_in(home)
    assert "Too many failed attempts for this account. Try again after" in delayed.content.decode()
    wait_out_the_delay(security_admin.email)
    assert login(home, security_admin.email).status_code == 302
    assert logged_in(home)
    assert login(client_from(ATTACKER), security_admin.email).status_code == 429  # still locked there


def test_delays_grow_per_name_and_are_not_a_sleep(settings):
    settings.LOGIN_DELAY_FREE_FAILURES, settings.LOGIN_DELAY_BASE_SECONDS = 3, 2
    settings.LOGIN_DELAY_MAX_SECONDS = 60
    assert [login_delay.delay_after(n) for n in range(1, 10)] == [0, 0, 0, 2, 4, 8, 16, 32, 60]

    person = UserFactory(email="slow@example.com")
    bystander = UserFactory(email="bystander@example.com")
    for n in range(4):  # four addresses, one guess each: no address reaches the lock
        response = login(client_from(f"198.51.100.{n + 1}"), person.email, "Wrong-1")
        assert response.status_code == 200
    assert login_delay.state(person.email)["failures"] == 4
    assert login_delay.not_before(person.email) is not None

    refused = login(client_from("198.51.100.50"), person.email)
    assert "Try again after" in refused.content.decode()
    assert login_delay.state(person.email)["failures"] == 4  # a refused attempt checks no password, counts nothing
    assert login(client_from("198.51.100.50"), bystander.email).status_code == 302  # other names are untouched

    wait_out_the_delay(person.email)
    login(client_from("198.51.100.60"), person.email, "Wrong-2")
    state = login_delay.state(person.email)
    assert state["failures"] == 5 and 3 < state["not_before"] - time.time() <= 4  # the second delay: 4 s

    wait_out_the_delay(person.email)
    ok = client_from("198.51.100.70")
    assert login(ok, person.email).status_code == 302 and logged_in(ok)
    assert login_delay.state(person.email)["failures"] == 0  # a success forgets the failures


def test_the_delay_message_is_translated(settings):
    person = UserFactory(email="zh@example.com")
    login_delay.store(person.email, 9, time.time() + 120)
    response = login(client_from(HOME, "zh-hans"), person.email)
    assert "失败次数过多" in response.content.decode()


def test_the_admin_login_is_slowed_down_too(settings, administrator):
    administrator.is_staff = administrator.is_superuser = True
    administrator.save()
    login_delay.store(administrator.email, 9, time.time() + 120)
    client = client_from(HOME)
    response = client.post(reverse("admin:login"), {"username": administrator.email, "password": PASSWORD})
    assert response.status_code == 200 and not logged_in(client)
    assert "Try again after" in response.content.decode()
    wait_out_the_delay(administrator.email)
    client.post(reverse("admin:login"), {"username": administrator.email, "password": PASSWORD})
    assert logged_in(client)


def unlocks(**filters):
    return SecurityEvent.objects.filter(action="auth.unlocked", **filters)


def test_the_web_unlock_is_audited_once_and_ends_the_delay(settings):
    from partners.services.security import unlock_account

    settings.AXES_FAILURE_LIMIT = 2
    person = UserFactory(email="webunlock@example.com")
    client = client_from(ATTACKER)
    login(client, person.email, "Wrong-1")
    assert login(client, person.email, "Wrong-2").status_code == 429
    login_delay.store(person.email, 9, time.time() + 120)
    security_admin = make_staff("security_admin")
    assert unlock_account(security_admin, person) >= 1
    assert unlocks(actor=security_admin, object_ref=f"user:{person.pk}").count() == 1
    assert login_delay.not_before(person.email) is None
    assert login(client, person.email).status_code == 302


@pytest.mark.parametrize("command,args", [
    ("axes_reset_username", ["cmd@example.com"]),
    ("axes_reset_ip", [ATTACKER]),
    ("axes_reset_ip_username", [ATTACKER, "cmd@example.com"]),
    ("axes_reset", []),
])
def test_unlocks_from_the_command_line_are_audited(settings, command, args):
    settings.AXES_FAILURE_LIMIT = 2
    person = UserFactory(email="cmd@example.com")
    client = client_from(ATTACKER)
    login(client, person.email, "Wrong-1")
    assert login(client, person.email, "Wrong-2").status_code == 429
    call_command(command, *args, stdout=io.StringIO())
    event = unlocks().get()
    assert event.actor_label == "command line" and event.data["attempts_cleared"] >= 1
    assert login(client, person.email).status_code == 302
