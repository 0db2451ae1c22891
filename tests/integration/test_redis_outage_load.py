"""Redis killed, restarted, hung (SIGSTOP) and resumed under a load of reads, logins, signed-in pages and API
submissions to a gunicorn server and a Celery worker in production settings: no 5xx, no request hangs, each
submission fully done with its outbox row or cleanly refused, and web and worker use Redis again afterwards
without a restart.

Needs PostgreSQL (the server and the worker must see the test database) and redis-server; without them the test
is skipped, unless REQUIRE_INTEGRATION=1 (CI), where it fails."""

import os
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
import requests
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test import override_settings

from partners.enums import ApplicationState, NotificationState
from partners.models import Application, Notification, Revision, User
from tests.api_helpers import key_for
from tests.factories import PASSWORD, ApplicationFactory, OrganizationFactory, complete_draft
from tests.public_fixtures import make_member
from tests.redis_outage_env import private_redis  # noqa: F401

from .outbox_env import ROOT, database_url, free_port, start_smtp, start_worker, stop_worker, use_broker

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# A request still unanswered after this long counts as hung (gunicorn would kill the worker at 30 s).
REQUEST_BOUND = 20
PHASES = (("up", 4), ("killed", 6), ("restarted", 5), ("hung", 6), ("resumed", 6))
LOGIN_EVERY = 2.5
PHASE_BOUND = 60
KINDS = ("members API", "directory", "login", "signed-in page")
SUBMISSIONS = 100


def _unavailable(reason):
    if os.environ.get("REQUIRE_INTEGRATION") == "1":
        pytest.fail(f"{reason} (REQUIRE_INTEGRATION=1)")
    pytest.skip(reason)


def start_web(*, redis_url, db_url, smtp_port, log_path):
    """gunicorn with sync workers under production settings, as docker-compose runs it."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "EMAIL_", "DATABASE_", "REDIS_"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "registry.settings", "SECRET_KEY": "web-test-only", "DEBUG": "0",
        "DATABASE_URL": db_url, "REDIS_URL": redis_url, "CELERY_BROKER_URL": redis_url,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}", "SECURE_SSL_REDIRECT": "0", "SECURE_COOKIES": "0",
        "MANIFEST_STATIC": "0", "MFA_REQUIRED_FOR_STAFF": "0", "SPLIT_DUTIES_REQUIRED": "0",
        "PASSWORD_EXPIRY_ENFORCED": "0", "PRIVACY_CONSENT_REQUIRED": "0",
        "API_ANON_RATE": "100000/min",  # the load comes from one address; the limits are tested elsewhere
        "LOG_LEVEL": "WARNING",
    })
    log = open(log_path, "wb")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "registry.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", "2",
         "--timeout", "30"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    proc.log_file, proc.base = log, f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {open(log_path).read()[-3000:]}")
        try:
            if requests.get(f"{proc.base}/ping/", timeout=2).status_code == 200:
                return proc
        except requests.RequestException:
            pass
        time.sleep(0.2)
    stop_worker(proc)
    raise RuntimeError(f"gunicorn did not start: {open(log_path).read()[-3000:]}")


class Load:
    """Threads sending requests until stopped; every answer is kept with the phase it was sent in."""

    def __init__(self, base, people, drafts):
        self.base, self.people, self.drafts = base, people, list(drafts)
        self.phase = "up"
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.answers = []  # (phase, kind, status or error, seconds)
        self.submitted = []  # (phase, application id, status)
        self.threads = []

    def session(self):
        s = requests.Session()
        s.trust_env = False
        return s

    def record(self, kind, started, outcome):
        with self.lock:
            self.answers.append((self.phase, kind, outcome, time.monotonic() - started))

    def call(self, kind, method, url, session=None, **kwargs):
        started = time.monotonic()
        try:
            response = (session or self.session()).request(method, self.base + url, timeout=REQUEST_BOUND,
                                                            allow_redirects=False, **kwargs)
        except requests.RequestException as exc:
            self.record(kind, started, type(exc).__name__)
            return None
        self.record(kind, started, response.status_code)
        return response

    def login(self, email):
        s = self.session()
        page = self.call("login page", "GET", "/accounts/login/", s)
        if page is None or page.status_code != 200:
            return None
        answer = self.call("login", "POST", "/accounts/login/", s, data={
            "login": email, "password": PASSWORD, "csrfmiddlewaretoken": s.cookies.get("csrftoken", "")})
        return s if answer is not None and answer.status_code == 302 else None

    def signed_in_page(self, s):
        answer = self.call("signed-in page", "GET", "/portal/", s)
        if answer is not None and answer.status_code != 200:
            self.record("signed-in page kept", time.monotonic(), f"lost ({answer.status_code})")

    def reader(self, index):
        kept = self.login(self.people[index][0])  # signed in before the outage
        if kept is None:
            self.record("login kept", time.monotonic(), "refused")
        while not self.stop.is_set():
            self.call("members API", "GET", "/api/v1/members/")
            self.call("directory", "GET", "/members/")
            if kept is not None:
                self.signed_in_page(kept)

    def logins(self):
        # allauth allows 30 logins a minute from one address; all of these come from one.
        n = 0
        while not self.stop.wait(LOGIN_EVERY):
            n += 1
            fresh = self.login(self.people[n % len(self.people)][0])
            if fresh is None:
                self.record("login kept", time.monotonic(), "refused")
            else:
                self.signed_in_page(fresh)

    def submitter(self):
        while not self.stop.is_set() and self.drafts:
            application_id, public_id, token = self.drafts.pop(0)
            phase = self.phase
            answer = self.call("API submit", "POST", f"/api/v1/applications/{public_id}/actions/submit/",
                               json={}, headers={"Authorization": f"Bearer {token}"})
            with self.lock:
                self.submitted.append((phase, application_id, None if answer is None else answer.status_code))
            time.sleep(0.3)

    def all_answered(self, phase):
        with self.lock:
            answered = {kind for p, kind, status, _s in self.answers if p == phase and status in (200, 302)}
            submitted = any(p == phase and status == 200 for p, _pk, status in self.submitted)
        return submitted and answered >= set(KINDS)

    def start(self, readers=2):
        self.threads = [threading.Thread(target=self.reader, args=(i,)) for i in range(readers)]
        self.threads += [threading.Thread(target=self.logins), threading.Thread(target=self.submitter)]
        for t in self.threads:
            t.start()

    def join(self):
        self.stop.set()
        for t in self.threads:
            t.join(timeout=2 * REQUEST_BOUND)


def _wait(predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.3)
    return predicate()


def test_redis_killed_and_hung_under_load_costs_no_error_and_loses_nothing(private_redis, settings,  # noqa: F811
                                                                           tmp_path):
    if connection.vendor != "postgresql":
        _unavailable("the server and the worker must share the test database: set DATABASE_URL to PostgreSQL")
    for n in range(5):
        make_member(f"北京第{n}智算科技有限公司")
    people, drafts = [], []
    for _ in range(SUBMISSIONS):
        owner = OrganizationFactory().owner
        application = ApplicationFactory(organization=owner.organizations.get(), created_by=owner)
        complete_draft(application)
        drafts.append((application.pk, application.public_id, key_for(owner)[1]))
        people.append((owner.email, owner.pk))

    # The server hashes as production does (the suite's fast hasher is not among its hashers): one hash for all.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.PBKDF2PasswordHasher"]):
        User.objects.filter(email__in=[email for email, _pk in people]).update(password=make_password(PASSWORD))

    controller, mailbox = start_smtp()
    db_url = database_url(connection.settings_dict)
    worker = start_worker(broker_url=private_redis.url, db_url=db_url, smtp_port=controller.port,
                          log_path=tmp_path / "worker.log", extra_env={"REDIS_URL": private_redis.url})
    web = start_web(redis_url=private_redis.url, db_url=db_url, smtp_port=controller.port,
                    log_path=tmp_path / "web.log")
    load = Load(web.base, people, drafts)
    try:
        load.start()
        for phase, seconds in PHASES:
            if phase == "killed":
                private_redis.kill()
            elif phase == "restarted":
                private_redis.start()  # empty: a cache restarted without its data
            elif phase == "hung":
                private_redis.hang()
            elif phase == "resumed":
                private_redis.resume()
            load.phase = phase
            # At least `seconds`, and until every kind of request has been answered in this phase (a busy
            # machine may need longer), within a bound.
            started = time.monotonic()
            while time.monotonic() - started < seconds or (
                    not load.all_answered(phase) and time.monotonic() - started < PHASE_BOUND):
                time.sleep(0.2)
        load.join()

        # Zero 5xx, no request hung, every login and every kept session worked, in every phase.
        failures = [a for a in load.answers if not isinstance(a[2], int) or a[2] >= 500]
        assert failures == [], f"{failures[:10]}\n{open(tmp_path / 'web.log').read()[-3000:]}"
        assert all(seconds < REQUEST_BOUND for *_rest, seconds in load.answers)
        by_phase = Counter((phase, kind) for phase, kind, status, _s in load.answers if status in (200, 302))
        for phase, _seconds in PHASES:
            for kind in KINDS:
                assert by_phase[(phase, kind)] > 0, (phase, kind, Counter((p, k, st) for p, k, st, _s in load.answers))

        # Each submission is fully done with its outbox row, or cleanly refused and still a draft.
        done_by_phase = Counter()
        for phase, application_id, status in load.submitted:
            application = Application.objects.get(pk=application_id)
            rows = Notification.objects.filter(application=application, template_key="application.submitted")
            if status == 200:
                assert application.state == ApplicationState.SUBMITTED
                assert Revision.objects.filter(application=application).count() == 1
                assert rows.count() == 1
                done_by_phase[phase] += 1
            else:
                assert status is not None and 400 <= status < 500, (phase, status)
                assert application.state == ApplicationState.DRAFT and not rows.exists()
        for phase, _seconds in PHASES:
            assert done_by_phase[phase] > 0, (phase, done_by_phase)

        # The worker, never restarted, sends what was submitted after Redis came back (the first publish after
        # the hang may still meet a broken connection; the sweep below takes those).
        after = [pk for phase, pk, status in load.submitted if phase == "resumed" and status == 200]
        after_rows = Notification.objects.filter(application_id__in=after)
        assert _wait(lambda: after_rows.filter(state=NotificationState.SENT).exists(), 60), \
            open(tmp_path / "worker.log").read()[-3000:]
        # The sweep queues what could not be published during the outage; all of it is sent, each once.
        use_broker(settings, private_redis.url)
        from partners.services.delivery import sweep

        sweep(older_than=timedelta(0))
        submitted_rows = Notification.objects.filter(application__state=ApplicationState.SUBMITTED,
                                                     template_key="application.submitted")
        assert _wait(lambda: not submitted_rows.exclude(state=NotificationState.SENT).exists(), 90)
        ids = [i for i in mailbox.notification_ids() if i in {str(pk) for pk in submitted_rows.values_list(
            "pk", flat=True)}]
        assert len(ids) == len(set(ids)) == submitted_rows.count()

        # The web tier, never restarted, uses Redis again: a new session and cached public answers are there.
        s = load.login(people[1][0])
        assert s is not None and load.call("signed-in page", "GET", "/portal/", s).status_code == 200
        redis = private_redis.client()
        assert redis.exists(f":1:django.contrib.sessions.cached_db{s.cookies['sessionid']}")
        for _ in range(3):
            load.call("members API", "GET", "/api/v1/members/")
        assert redis.keys("*public-cache:api-json*")
    finally:
        load.stop.set()
        private_redis.resume()
        use_broker(settings, "")
        settings.CELERY_TASK_ALWAYS_EAGER = True
        stop_worker(web)
        stop_worker(worker)
        controller.stop()
