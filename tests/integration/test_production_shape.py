"""The shipped shape is the tested shape: the Dockerfile's build and docker-compose.yml's services, run natively.

Static files are collected by the Dockerfile's own command (DEBUG off, hashed names and their manifest) into a
temporary STATIC_ROOT; an empty PostgreSQL database is migrated by the compose web command, which then serves it
with gunicorn and registry/gunicorn.conf.py; a Celery worker and Celery beat run the compose commands, with a
private Redis as cache and broker and an aiosmtpd server as the mail service. The environment is the compose
file's plus .env.example's (production_shape.py), so every setting that the rest of the suite switches off is on.
Then people walk it over HTTP behind the proxy's headers: every route without parameters as a visitor, a person
who signs up through the form and confirms the e-mail, an applicant, a reviewer and an administrator (both with
their second factor), plus the pages of one member, application and organisation. No answer may be a 5xx, every
static file is linked by its hashed name and served, and beat's end-of-notice job admits a member through the
workers (one per queue), whose e-mail reaches the SMTP server. The compose file's replica is this machine's
PostgreSQL itself, so every page is read through the replica router.

Needs PostgreSQL (DATABASE_URL), redis-server and the test virtualenv; skipped without them, failed under
REQUIRE_INTEGRATION=1 (CI).
"""

import json
import os
import re
import secrets
import socket
import subprocess
import time
import uuid
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from django.urls import NoReverseMatch, reverse

from tests.permission_matrix import discover_routes

from . import production_shape as shape
from .outbox_env import free_port, start_smtp

pytestmark = [pytest.mark.integration, pytest.mark.postgres]

PUBLIC_HOST = shape.env_example()["ALLOWED_HOSTS"].split(",")[0]


def _unavailable(reason):
    if os.environ.get("REQUIRE_INTEGRATION") == "1":
        pytest.fail(f"{reason} (REQUIRE_INTEGRATION=1)")
    pytest.skip(reason)


def _admin_conninfo():
    s = connection.settings_dict
    return psycopg.conninfo.make_conninfo(host=s["HOST"] or None, port=s["PORT"] or None, user=s["USER"] or None,
                                          password=s["PASSWORD"] or None, dbname="postgres")


class Site:
    """The running production shape, its data and the SMTP server's mailbox."""

    def __init__(self, port, env, data, mailbox, processes, var_dir):
        self.port, self.env, self.data, self.mailbox = port, env, data, mailbox
        self.processes, self.var_dir = processes, var_dir
        self.static_root = Path(env["STATIC_ROOT"])

    def browser(self, who):
        return shape.Browser(self.port, PUBLIC_HOST, who)

    def logs(self) -> str:
        return "\n".join(p.tail() for p in self.processes.values())


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    if connection.vendor != "postgresql":
        _unavailable("the production shape runs on PostgreSQL: set DATABASE_URL to PostgreSQL")
    var_dir = tmp_path_factory.mktemp("app")  # the image's /app: var/, tmp/
    (var_dir / "tmp").mkdir()
    log_dir = tmp_path_factory.mktemp("logs")
    processes = {}
    try:
        redis = processes["redis"] = shape.start_redis(log_dir, free_port())
    except (FileNotFoundError, RuntimeError) as exc:
        _unavailable(f"redis-server cannot run here: {exc}")
    smtp, mailbox = start_smtp()
    database = f"prodshape_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_admin_conninfo(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{database}"')
    s = connection.settings_dict
    services = shape.Services(postgres=(s["HOST"] or "127.0.0.1", s["PORT"] or 5432, s["USER"], s["PASSWORD"]),
                              redis=("127.0.0.1", redis.port, None, None),
                              mail=("127.0.0.1", smtp.port, None, None))
    port = free_port()
    dotenv = shape.operator_dotenv()

    def environment(service):
        return shape.production_environment(services, database=database, var_dir=var_dir, port=port,
                                            dotenv=dotenv, service=service)

    env = environment("web")
    try:
        # The image's build step, the one-shot services (database set-up, migrations), then the rest in the
        # compose file's order.
        shape.run(shape.dockerfile_step("manage.py collectstatic"), env, shell=True)
        for service in shape.one_shot_services():
            shape.run(shape.localise_argv(shape.compose_argv(service), var_dir, port), environment(service))
        processes["web"] = shape.Process("web", shape.localise_argv(shape.compose_argv("web"), var_dir, port),
                                         env, log_dir)
        for worker in shape.worker_services():  # one per queue, as compose runs them
            processes[worker] = shape.Process(
                worker, shape.localise_argv(shape.compose_argv(worker), var_dir, port), environment(worker), log_dir)
        _wait_healthy(port, processes["web"])
        output = shape.run([str(shape.BIN / "python"), "manage.py", "shell", "-c",
                            "from tests.integration.production_shape import populate; populate()"], env)
        data = json.loads(output.split("PRODUCTION_SHAPE ", 1)[1].splitlines()[0])
        processes["beat"] = shape.Process("beat", shape.localise_argv(shape.compose_argv("beat"), var_dir, port),
                                          environment("beat"), log_dir)
        for worker in shape.worker_services():
            processes[worker].wait_for_log(b"ready.", timeout=60)
        yield Site(port, env, data, mailbox, processes, var_dir)
    finally:
        for proc in reversed(processes.values()):
            proc.stop()
        smtp.stop()
        with psycopg.connect(_admin_conninfo(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def _wait_healthy(port, web, timeout=120):
    """Poll /health/ as an orchestrator does, until the migrations ran and gunicorn answers ready."""
    import http.client

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not web.alive():
            raise AssertionError(f"the web service exited\n{web.tail()}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/health/")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"/health/ never answered 200\n{web.tail()}")


# --- The environment agrees with the compose file ------------------------------------------------------------

def test_the_served_environment_is_the_compose_files():
    """Every variable the app services get from docker-compose.yml and .env.example, and nothing more than where
    this machine listens and keeps static files; a variable added to one side only fails here."""
    compose = shape.compose()
    app = shape.compose_environment()
    for name in ("web", "beat", *shape.worker_services()):
        service = compose["services"][name]
        assert service.get("environment", compose["x-app"]["environment"]) == compose["x-app"]["environment"], name
        assert service.get("env_file", compose["x-app"]["env_file"]) == [".env"], name
    services = shape.Services(postgres=("127.0.0.1", 5432, "u", "p"), redis=("127.0.0.1", 6390, None, None),
                              mail=("127.0.0.1", 2525, None, None))
    env = shape.production_environment(services, database="db", var_dir=Path("/var-test"), port=8123)
    served = set(env) - set(shape.INHERITED) - set(shape.dockerfile_env())
    assert served == set(app) | set(shape.env_example()) | shape.MACHINE_LOCAL
    # Each URL still names its kind of service, with the compose file's database numbers and credentials.
    for key, value in app.items():
        if "://" in value:
            host = re.match(r"\w+://(?:[^@/]*@)?([^:/]+)", value).group(1)
            assert host in compose["services"] and host in services.hosts, (key, value)
            assert env[key].split("://")[0] == value.split("://")[0], key
            assert "127.0.0.1:" in env[key], key
    assert env["REDIS_URL"].endswith(app["REDIS_URL"].rsplit("/", 1)[1])
    assert env["CELERY_BROKER_URL"].endswith(app["CELERY_BROKER_URL"].rsplit("/", 1)[1])
    assert env["DEBUG"] == "0" and "MANIFEST_STATIC" not in env
    assert not any(v.startswith(shape.PLACEHOLDER) or "${" in v for v in env.values())
    # The machine-local variables default to what the image uses.
    settings_text = (shape.ROOT / "registry" / "settings.py").read_text(encoding="utf-8")
    assert 'env("STATIC_ROOT", default=str(VAR_DIR / "static"))' in settings_text
    gunicorn_conf = (shape.ROOT / "registry" / "gunicorn.conf.py").read_text(encoding="utf-8")
    assert '"GUNICORN_BIND", "0.0.0.0:8000"' in gunicorn_conf
    assert compose["services"]["web"]["ports"] == ["8000:8000"]


def test_the_dockerfile_collects_static_files_as_production_serves_them():
    step = shape.dockerfile_step("manage.py collectstatic")
    assert "DEBUG=0" in step and "MANIFEST_STATIC=0" not in step and "DEBUG=1" not in step


def _image_distributions() -> set[str]:
    """Every distribution `pip install .` brings (the image's install): the dependencies without the test extra,
    and theirs."""
    import tomllib
    from importlib import metadata

    from packaging.requirements import Requirement

    def norm(name):
        return re.sub(r"[-_.]+", "-", name).lower()

    pyproject = tomllib.loads((shape.ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    seen, stack = set(), [Requirement(d) for d in pyproject["project"]["dependencies"]]
    while stack:
        requirement = stack.pop()
        key = (norm(requirement.name), tuple(sorted(requirement.extras)))
        if key in seen:
            continue
        seen.add(key)
        try:
            requires = metadata.distribution(requirement.name).requires or []
        except metadata.PackageNotFoundError:
            continue
        for text in requires:
            sub = Requirement(text)
            if sub.marker and not any(sub.marker.evaluate({"extra": e}) for e in (requirement.extras or {""})):
                continue
            stack.append(sub)
    return {name for name, _extras in seen}


def test_the_served_code_needs_nothing_beyond_what_the_image_installs():
    """The tests run in a virtualenv with the test extra; the image installs the package without it. Whatever the
    served code imports, or names in its settings, must come from the image's own dependencies."""
    import ast
    import sys
    from importlib import metadata

    from django.conf import settings

    modules = {"gunicorn", "psycopg"}  # the compose command and the database engine
    for base in ("partners", "registry"):
        for path in (shape.ROOT / base).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    modules.update(alias.name.split(".")[0] for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    modules.add(node.module.split(".")[0])
    named = [*settings.INSTALLED_APPS, *settings.MIDDLEWARE, *settings.AUTHENTICATION_BACKENDS,
             *(s["BACKEND"] for s in settings.STORAGES.values()), "whitenoise.storage"]
    modules.update(name.split(".")[0] for name in named)
    modules -= set(sys.stdlib_module_names) | {"partners", "registry"}
    installed = _image_distributions()
    owners = metadata.packages_distributions()
    missing = {m: owners.get(m) for m in sorted(modules)
               if not owners.get(m) or not all(re.sub(r"[-_.]+", "-", d).lower() in installed for d in owners[m])}
    assert not missing, f"imported but not installed by the image (only by the test extra?): {missing}"


# --- The walk ------------------------------------------------------------------------------------------------

def _routes(include_admin):
    urls = []
    for route in discover_routes():
        if route.params or not route.name:
            continue
        try:
            url = reverse(route.name, kwargs=route.default_kwargs or None)
        except NoReverseMatch:  # unnamed groups in a regex route: it takes parameters after all
            continue
        if url.startswith("/admin/") and not include_admin:
            continue
        urls.append(url)
    return urls


def _walk(browser, urls, failures, static_refs):
    for url in urls:
        response = browser.get(url)
        if response.status >= 500:
            failures.append(f"{browser.who} GET {url}: {response.status} {response.text[:300]}")
        if "text/html" in response.header("content-type"):
            static_refs.update(shape.STATIC_REF.findall(response.text))
    return browser


def _login(browser, email, password, totp=None):
    page = browser.get("/accounts/login/")
    if page.status == 302:  # already in (a confirmed sign-up may log in)
        return browser.follow(page)
    response = browser.submit("/accounts/login/", {"login": email, "password": password}, page=page)
    assert response.status == 302, (email, response.status, response.text[:3000])
    if totp:
        assert "/accounts/2fa/authenticate/" in response.header("location"), response.header("location")
        page = browser.get(response.header("location"))
        response = browser.submit(page.url, {"code": shape.totp_now(totp)}, page=page)
        assert response.status == 302, (email, response.status, response.text[:3000])
    return browser.follow(response)


def test_the_production_shape_serves_every_page(site):
    data, failures, static_refs = site.data, [], set()
    anonymous = site.browser("anonymous")
    _walk(anonymous, _routes(include_admin=False) + [
        "/admin/", "/admin/login/", f"/members/{data['member_number']}/", f"/api/v1/members/{data['member_number']}/",
        f"/publicity/{data['waiting_public_id']}/objection/",
    ], failures, static_refs)
    for path in ("/", "/members/", "/statistics/", "/publicity/", f"/members/{data['member_number']}/",
                 "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/", "/me/privacy/",
                 "/admin/login/", "/api/docs/", "/api/redoc/", "/api/schema/", "/api/v1/members/",
                 "/api/v1/partner-types/", "/members/export.csv"):
        response = anonymous.get(path)
        assert response.status == 200, (path, response.status, response.text[:2000])
    assert data["member_number"] in anonymous.get("/api/v1/members/").text

    # Production security is on: plain HTTP is sent to HTTPS, HTTPS answers carry HSTS.
    insecure = site.browser("visitor").get("/", secure=False)
    assert insecure.status == 301 and insecure.header("location").startswith(f"https://{PUBLIC_HOST}/")
    assert "max-age=" in anonymous.get("/").header("strict-transport-security")

    # Someone signs up through the form; the confirmation e-mail leaves through SMTP; the link works.
    email = f"new-{secrets.token_hex(4)}@prod-shape.example"
    password = "Signup-Prod-Shape-2026!"
    newcomer = site.browser("newcomer")
    answer = newcomer.submit("/accounts/signup/", {"email": email, "password1": password, "password2": password,
                                                   "consent": "on", "display_name": "王芳"})
    assert answer.status == 302, answer.text[:3000]
    assert site.mailbox.wait_for(lambda: site.mailbox.to(email), 60), f"no confirmation e-mail\n{site.logs()}"
    body = shape.text_of(site.mailbox.to(email)[0])
    confirm = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s<>\"]+)", body).group(1)
    assert newcomer.submit(confirm).status == 302
    assert _login(newcomer, email, password).status == 200
    _walk(newcomer, _routes(include_admin=False), failures, static_refs)
    portal = newcomer.follow(newcomer.get("/portal/"))  # no organisation yet: sent to claim one
    assert portal.status == 200 and portal.url == "/portal/organisation/claim/", (portal.url, portal.status)

    # An applicant with an organisation and an application in review.
    applicant = site.browser("applicant")
    assert _login(applicant, data["applicant"], data["password"]).status == 200
    _walk(applicant, _routes(include_admin=False) + [
        f"/portal/applications/{data['queued_id']}/", f"/portal/organisations/{data['queued_org_id']}/"],
        failures, static_refs)
    assert applicant.get(f"/portal/applications/{data['queued_id']}/").status == 200
    for cookie in ("sessionid", "csrftoken"):  # cookies only ever travel over HTTPS
        sent = [h for h in applicant.set_cookies if h.startswith(f"{cookie}=")]
        assert sent and all("; Secure" in h for h in sent), (cookie, sent)

    # Staff log in with their second factor: a reviewer works the queue, an administrator uses the admin.
    reviewer = site.browser("reviewer")
    staff = data["staff"]
    _login(reviewer, staff["reviewer"]["email"], data["password"], staff["reviewer"]["totp"])
    queue = reviewer.get("/staff/queue/")
    assert queue.status == 200 and data["queued_org"] in queue.text, queue.text[:2000]
    _walk(reviewer, _routes(include_admin=False) + [f"/staff/applications/{data['queued_id']}/"],
          failures, static_refs)
    assert reviewer.get(f"/staff/applications/{data['queued_id']}/").status == 200

    administrator = site.browser("administrator")
    _login(administrator, staff["administrator"]["email"], data["password"], staff["administrator"]["totp"])
    assert administrator.get("/admin/").status == 200
    _walk(administrator, _routes(include_admin=True) + [
        f"/admin/partners/application/{data['queued_id']}/change/"], failures, static_refs)

    assert not failures, "\n".join(failures) + "\n" + site.logs()

    # Every static file is linked by its hashed name and served, cacheable for ever.
    assert any("vendor/bootstrap/bootstrap.min." in ref for ref in static_refs), static_refs
    unhashed = sorted(ref for ref in static_refs if not shape.HASHED.search(ref))
    assert not unhashed, unhashed
    for ref in sorted(static_refs):
        response = anonymous.get(ref)
        assert response.status == 200, (ref, response.status)
        assert "immutable" in response.header("cache-control") or "max-age=315360000" in response.header(
            "cache-control"), (ref, response.headers)
    assert (site.static_root / "staticfiles.json").exists()


def test_readiness_and_the_compose_healthchecks_pass(site):
    browser = site.browser("probe")
    # The orchestrator's probe: plain HTTP to the container's own address, no public host name.
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", site.port, timeout=10)
    conn.request("GET", "/health/")
    answer = conn.getresponse()
    assert answer.status == 200
    assert json.loads(answer.read()) == {"status": "ok", "checks": {
        "database": "ok", "cache": "ok", "broker": "ok", "static": "ok"}}
    assert browser.get("/health/live/", secure=False).status == 200
    # The compose file's own healthcheck commands, run as the containers would run them.
    for service in ("web", "worker", "beat"):
        test = shape.compose()["services"][service]["healthcheck"]["test"]
        assert test[0] == "CMD"
        argv = shape.localise_argv(test[1:], site.var_dir, site.port)
        result = subprocess.run(argv, cwd=shape.ROOT, env=site.env, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, (service, argv, result.stdout, result.stderr)
    # The other workers ping themselves by name (CMD-SHELL; the container's HOSTNAME is the %h of their name).
    for service in set(shape.worker_services()) - {"worker"}:
        test = shape.compose()["services"][service]["healthcheck"]["test"]
        assert test[0] == "CMD-SHELL" and "$$HOSTNAME" in test[1], service
        command = test[1].replace("$$", "$")  # compose's escape of a dollar sign, undone as compose does
        result = subprocess.run(command, shell=True, cwd=shape.ROOT, capture_output=True, text=True, timeout=60,
                                env={**site.env, "HOSTNAME": socket.gethostname()})
        assert result.returncode == 0, (service, test, result.stdout, result.stderr)


def test_beat_and_the_worker_end_a_public_notice_and_mail_it(site):
    """Beat sends the due end-of-notice job, the worker admits the member and mails the owner through SMTP."""
    data, browser = site.data, site.browser("visitor")
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        members = browser.get("/api/v1/members/?page_size=100")
        if data["waiting_org"] in members.text:
            break
        time.sleep(1)
    else:
        pytest.fail(f"beat and the worker did not admit the member\n{site.logs()}")

    def admission_mail():
        return [m for m in site.mailbox.to(data["waiting_owner"])
                if int(m["X-Registry-Notification"] or 0) > data["last_notification_id"]]

    assert site.mailbox.wait_for(admission_mail, 60), f"no admission e-mail\n{site.logs()}"
    assert b"Sending due task" in site.processes["beat"].log_path.read_bytes()


def test_check_deploy_passes_with_the_production_environment(site):
    output = shape.run([str(shape.BIN / "python"), "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                       site.env)
    assert "no issues" in output, output
