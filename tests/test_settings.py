"""Settings come from the environment: embedded defaults for `make run`, and a clean `check --deploy` in production."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json, django
from django.conf import settings
django.setup()
db = settings.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"], "options": {k: str(v) for k, v in db.get("OPTIONS", {}).items()},
    "name": str(db["NAME"]), "eager": settings.CELERY_TASK_ALWAYS_EAGER, "email": settings.EMAIL_BACKEND,
    "email_path": str(getattr(settings, "EMAIL_FILE_PATH", "")), "language": settings.LANGUAGE_CODE,
    "languages": [code for code, _ in settings.LANGUAGES], "tz": settings.TIME_ZONE, "debug": settings.DEBUG,
    "hosts": settings.ALLOWED_HOSTS, "user": settings.AUTH_USER_MODEL, "conn_max_age": db.get("CONN_MAX_AGE"),
    "sessions": settings.SESSION_ENGINE, "cache": settings.CACHES["default"]["BACKEND"],
}))
"""


FIELD_KEY = "9s0rV4X4tq8ZJvVZ1yq0Yy4bqkC7dTqjU3mJwX2kYHc="  # a Fernet key for the production probes only


def clean_env(**values):
    """Only what a production process would have: no test-run variables leak into the child."""
    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR") if k in os.environ}
    env["DJANGO_SETTINGS_MODULE"] = "registry.settings"
    env.update(values)
    return env


def run(args, **values):
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=clean_env(**values), capture_output=True,
                          text=True, timeout=120)


def probe(**values) -> dict:
    result = run(["-c", PROBE], **values)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def production_env(tmp_path):
    return {"SECRET_KEY": secrets.token_urlsafe(50), "DEBUG": "0", "FIELD_ENCRYPTION_KEY": FIELD_KEY, "ALLOWED_HOSTS": "registry.example.gov.cn",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}"}


def test_check_deploy_reports_nothing_with_production_values(tmp_path):
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_no_secret_key_means_no_start_with_debug_off():
    result = run(["-c", PROBE], DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_embedded_defaults_of_make_run():
    values = probe(DEBUG="1")
    assert values["engine"] == "django.db.backends.sqlite3"
    assert Path(values["name"]).parent.name == "var"
    assert "journal_mode=WAL" in values["options"]["init_command"] and values["options"]["timeout"] == "20"
    assert values["eager"] is True  # no broker: tasks run in-process
    assert values["email"] == "django.core.mail.backends.filebased.EmailBackend"
    assert Path(values["email_path"]).parts[-2:] == ("var", "mail")
    assert (values["language"], values["tz"]) == ("zh-hans", "Asia/Shanghai")
    assert "en" in values["languages"]
    assert values["user"] == "partners.User"


def test_postgres_url_uses_psycopg_with_persistent_connections_or_the_pool():
    url = "postgres://registry@db.example:5432/registry"
    values = probe(DEBUG="1", DATABASE_URL=url)
    assert values["engine"] == "django.db.backends.postgresql"
    assert values["conn_max_age"] == 60
    pooled = probe(DEBUG="1", DATABASE_URL=url, DB_POOL="1")
    assert "pool" in pooled["options"]


def test_broker_and_mail_from_the_environment():
    values = probe(DEBUG="1", CELERY_BROKER_URL="redis://127.0.0.1:6379/9", EMAIL_URL="smtp://mail.example:1025")
    assert values["eager"] is False
    assert values["email"] == "django.core.mail.backends.smtp.EmailBackend"


def test_allowed_hosts_from_the_environment(tmp_path):
    values = probe(**production_env(tmp_path))
    assert values["debug"] is False and values["hosts"] == ["registry.example.gov.cn"]


def test_sessions_are_read_from_the_shared_cache_and_written_through_when_redis_is_there():
    values = probe(DEBUG="1", REDIS_URL="redis://127.0.0.1:6379/9")
    assert values["cache"] == "registry.redis_cache.RedisCache"
    assert values["sessions"] == "django.contrib.sessions.backends.cached_db"
    embedded = probe(DEBUG="1")
    assert embedded["sessions"] == "django.contrib.sessions.backends.db"  # a process-local cache is not shared


def test_a_misspelt_eligibility_rule_stops_the_start(tmp_path):
    """Who may apply is policy: an unknown PLAN_ELIGIBILITY must not quietly become the default rule."""
    refused = run(["-c", PROBE], **production_env(tmp_path), PLAN_ELIGIBILITY="beijing-only")
    assert refused.returncode != 0 and "PLAN_ELIGIBILITY must be" in refused.stderr
    assert run(["-c", PROBE], **production_env(tmp_path), PLAN_ELIGIBILITY="anywhere").returncode == 0


def test_the_stale_list_bound_is_checked_when_the_settings_load(tmp_path):
    """Stale lists are bounded to a few seconds: a bound outside 0..30 s stops the start instead of serving
    lists minutes old."""
    for wrong in ("60", "-1"):
        refused = run(["-c", PROBE], **production_env(tmp_path), PUBLIC_LIST_STALE_SECONDS=wrong)
        assert refused.returncode != 0 and "PUBLIC_LIST_STALE_SECONDS must be" in refused.stderr
    assert run(["-c", PROBE], **production_env(tmp_path), PUBLIC_LIST_STALE_SECONDS="0").returncode == 0


def test_the_panel_reminder_days_are_bounded_when_the_settings_load(tmp_path):
    """Experts are reminded 1 to 30 days before the panel's deadline; anything else stops the start."""
    for wrong in ("0", "31", "-2"):
        refused = run(["-c", PROBE], **production_env(tmp_path), PANEL_REMINDER_DAYS=wrong)
        assert refused.returncode != 0 and "PANEL_REMINDER_DAYS must be" in refused.stderr
    assert run(["-c", PROBE], **production_env(tmp_path), PANEL_REMINDER_DAYS="7").returncode == 0
    shown = run(["-c", "import django; from django.conf import settings; django.setup(); "
                       "print(settings.PANEL_REMINDER_DAYS)"], **production_env(tmp_path), PANEL_REMINDER_DAYS="7")
    assert shown.stdout.strip().splitlines()[-1] == "7"


def test_the_revocation_public_days_are_bounded_when_the_settings_load(tmp_path):
    """A revocation is public for 1 to 3650 days; anything else stops the start."""
    for wrong in ("0", "3651", "-5"):
        refused = run(["-c", PROBE], **production_env(tmp_path), REVOCATION_PUBLIC_DAYS=wrong)
        assert refused.returncode != 0 and "REVOCATION_PUBLIC_DAYS must be" in refused.stderr
    shown = run(["-c", "import django; from django.conf import settings; django.setup(); "
                       "print(settings.REVOCATION_PUBLIC_DAYS)"], **production_env(tmp_path), REVOCATION_PUBLIC_DAYS="730")
    assert shown.returncode == 0 and shown.stdout.strip().splitlines()[-1] == "730"


def test_the_dashboard_median_period_is_bounded_when_the_settings_load(tmp_path):
    """The medians are kept 0 (never) to 86400 seconds; anything else, or a word, stops the start."""
    for wrong in ("-1", "86401", "soon"):
        refused = run(["-c", PROBE], **production_env(tmp_path), DASHBOARD_MEDIAN_SECONDS=wrong)
        assert refused.returncode != 0, wrong
    shown = run(["-c", "import django; from django.conf import settings; django.setup(); "
                       "print(settings.DASHBOARD_MEDIAN_SECONDS)"], **production_env(tmp_path),
                DASHBOARD_MEDIAN_SECONDS="0")
    assert shown.returncode == 0 and shown.stdout.strip().splitlines()[-1] == "0"
