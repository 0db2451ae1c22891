"""Hardened settings and headers: check --deploy, HSTS, CSP, frames, referrer, nosniff, admin path, axes, throttles."""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from tests.factories import PASSWORD

BASE_DIR = Path(settings.BASE_DIR)


def production_env(tmp_path, **extra):
    """The environment of a production deployment: no DEBUG, a real key, HTTPS, a private admin path."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "registry.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "FIELD_ENCRYPTION_KEY": "9s0rV4X4tq8ZJvVZ1yq0Yy4bqkC7dTqjU3mJwX2kYHc=",
        "ALLOWED_HOSTS": "registry.example.gov.cn",
        "CSRF_TRUSTED_ORIGINS": "https://registry.example.gov.cn",
        "SITE_URL": "https://registry.example.gov.cn",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        "ADMIN_URL": "control-7f3a/",
    }
    env.update(extra)
    return env


def run_manage(args, env):
    return subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True,
                          text=True, timeout=120)


def test_check_deploy_passes_with_production_values(tmp_path):
    result = run_manage(["check", "--deploy", "--fail-level", "WARNING"], production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = production_env(tmp_path)
    env["SECRET_KEY"] = ""
    result = run_manage(["check"], env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


PRINT_SETTINGS = (
    "import json; from django.conf import settings as s; from django.urls import reverse; "
    "print(json.dumps({k: getattr(s, k) for k in ('SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', "
    "'SESSION_COOKIE_HTTPONLY', 'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', "
    "'SECURE_CONTENT_TYPE_NOSNIFF', 'X_FRAME_OPTIONS', 'SECURE_REFERRER_POLICY', 'DEBUG', 'PASSWORD_HASHERS')} "
    "| {'admin': reverse('admin:index')}))"
)


def test_production_settings_are_hardened_and_the_admin_path_is_configurable(tmp_path):
    result = run_manage(["shell", "-c", PRINT_SETTINGS], production_env(tmp_path))
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"] and values["SESSION_COOKIE_HTTPONLY"]
    assert values["SECURE_SSL_REDIRECT"]
    assert values["SECURE_HSTS_SECONDS"] >= 31536000 and values["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"]
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["SECURE_REFERRER_POLICY"] == "same-origin"
    assert values["admin"] == "/control-7f3a/"
    assert values["PASSWORD_HASHERS"][0] == "django.contrib.auth.hashers.PBKDF2PasswordHasher"  # salted


@pytest.mark.django_db
def test_security_headers_on_a_page_served_over_https(client):
    response = client.get(reverse("public:home"), secure=True)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "includeSubDomains" in response["Strict-Transport-Security"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    csp = response["Content-Security-Policy"]
    directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"] and directives["style-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]


@pytest.mark.django_db
def test_no_hsts_over_plain_http(client):
    assert "Strict-Transport-Security" not in client.get(reverse("public:home"))


# --- No inline script or style anywhere: the CSP would block it, so it must not be needed -------------

INLINE_PATTERNS = {
    "inline <script>": re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>",
                                  re.I),
    "<style> element": re.compile(r"<style[\s>]", re.I),
    "style attribute": re.compile(r"\sstyle\s*=", re.I),
    "event-handler attribute": re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
}


def project_templates():
    roots = [BASE_DIR / "templates", BASE_DIR / "partners" / "templates"]
    return sorted(p for root in roots if root.exists() for p in root.rglob("*.html"))


def inline_problems(text):
    return [name for name, pattern in INLINE_PATTERNS.items() if pattern.search(text)]


def test_no_project_template_uses_inline_script_or_style():
    problems = {}
    for template in project_templates():
        if "emails" in template.parts:
            continue  # e-mail HTML is not served under the site's CSP; mail clients need inline styles
        found = inline_problems(template.read_text(encoding="utf-8"))
        if found:
            problems[str(template.relative_to(BASE_DIR))] = found
    assert not problems, f"Templates that the CSP would break: {problems}"


def test_inline_detector_recognises_what_it_must():
    assert inline_problems('<script>alert(1)</script>') == ["inline <script>"]
    assert inline_problems('<div style="color:red">') == ["style attribute"]
    assert inline_problems('<button onclick="x()">') == ["event-handler attribute"]
    assert inline_problems('<script src="/static/a.js"></script><p class="x">') == []
    assert inline_problems('<script id="d" type="application/json">{}</script>') == []


# --- django-axes on the staff login (allauth, field `login`) and the admin login (field `username`) ----

@pytest.fixture
def fresh_limits(db):
    cache.clear()  # allauth's rate limits live in the cache; start each test with none used
    yield
    cache.clear()


def logged_in(client):
    return "_auth_user_id" in client.session


@pytest.mark.usefixtures("fresh_limits")
def test_axes_locks_the_account_after_failed_logins_on_the_allauth_form(client, reviewer):
    from axes.models import AccessAttempt

    url = reverse("account_login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"login": reviewer.email, "password": "Wrong-password-1"})
    attempt = AccessAttempt.objects.get(username=reviewer.email)
    assert attempt.failures_since_start >= settings.AXES_FAILURE_LIMIT
    cache.clear()  # allauth's own limit aside: axes alone must refuse the right password now
    response = client.post(url, {"login": reviewer.email, "password": PASSWORD})
    assert not logged_in(client)
    assert response.status_code in (403, 429)


@pytest.mark.usefixtures("fresh_limits")
def test_axes_locks_the_account_after_failed_logins_on_the_admin_form(client, administrator):
    from axes.models import AccessAttempt

    administrator.is_staff = administrator.is_superuser = True
    administrator.save()
    url = reverse("admin:login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": administrator.email, "password": "Wrong-password-1"})
    assert AccessAttempt.objects.get(username=administrator.email).failures_since_start >= settings.AXES_FAILURE_LIMIT
    response = client.post(url, {"username": administrator.email, "password": PASSWORD})
    assert not logged_in(client)
    assert response.status_code in (403, 429)


@pytest.mark.usefixtures("fresh_limits")
def test_a_correct_login_below_the_limit_still_works(client, reviewer):
    url = reverse("account_login")
    client.post(url, {"login": reviewer.email, "password": "Wrong-password-1"})
    client.post(url, {"login": reviewer.email, "password": PASSWORD})
    assert logged_in(client)


def test_allauth_rate_limits_are_on():
    limits = settings.ACCOUNT_RATE_LIMITS
    assert limits is not False
    for key in ("login_failed", "signup", "reset_password"):
        assert limits.get(key), key


# --- DRF throttles -----------------------------------------------------------------------------

def _anonymous_rate(settings, rate):
    rest = dict(settings.REST_FRAMEWORK)
    rest["DEFAULT_THROTTLE_RATES"] = {**rest["DEFAULT_THROTTLE_RATES"], "anon": rate}
    settings.REST_FRAMEWORK = rest


@pytest.mark.usefixtures("fresh_limits")
def test_api_throttles_anonymous_clients(client, settings):
    from django.utils.module_loading import import_string

    scopes = {import_string(path).scope for path in settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"]}
    assert "anon" in scopes and settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["anon"]
    _anonymous_rate(settings, "3/min")
    url = reverse("api-schema")
    statuses = [client.get(url).status_code for _ in range(4)]
    assert statuses[:3] == [200, 200, 200]
    assert statuses[3] == 429


@pytest.mark.usefixtures("fresh_limits")
def test_a_forged_forwarded_for_header_does_not_dodge_the_throttle(client, settings):
    _anonymous_rate(settings, "3/min")
    url = reverse("api-schema")
    statuses = [client.get(url, HTTP_X_FORWARDED_FOR=f"203.0.113.{i}").status_code for i in range(4)]
    assert statuses == [200, 200, 200, 429]


@pytest.mark.django_db
def test_rendered_pages_need_no_inline_script_or_style(settings):
    """Every HTML page the matrix reaches, as the first identity allowed to read it, passes the CSP."""
    from tests.permission_matrix import IDENTITIES, World, discover_routes, url_for
    from tests.permission_matrix_table import TABLE

    settings.AXES_ENABLED = False
    world = World()
    clients = {}
    problems = {}
    for route in discover_routes():
        row = TABLE.get(route.key, {}).get("get")
        if not row or route.key.startswith("admin:"):
            continue  # the Django admin is third-party and staff-only; checked by hand (docs/SECURITY.md)
        cells = row.split()
        allowed = [IDENTITIES[i] for i, cell in enumerate(cells) if cell == "200"]
        if not allowed:
            continue
        identity = allowed[0]
        client = clients.setdefault(identity, world.client(identity))
        response = client.get(url_for(route, world, TABLE[route.key]))
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        found = inline_problems(response.content.decode("utf-8", errors="replace"))
        external = re.findall(r"""<(?:script|link)[^>]+(?:src|href)=["'](?:https?:)?//(?!testserver)""",
                              response.content.decode("utf-8", errors="replace"))
        if external:
            found.append("asset from another site")
        if found:
            problems[route.key] = found
    assert not problems, f"Pages that the CSP would break: {problems}"
