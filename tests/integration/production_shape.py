"""The production shape, natively: what the Dockerfile builds and docker-compose.yml runs, on this machine.

The environment of each service is docker-compose.yml's (its `environment`, which the app services share through
`x-app`) plus `.env.example` (the operator's `.env`, every `change-me` value replaced by a fresh secret, and
`${VAR}` in the compose file filled from it), with each compose service host (postgres, redis, mail) replaced by
the same service started here (the primary also standing in for its replica) and each path inside the image by a
temporary folder. The commands are the compose
file's and the Dockerfile's own, run with this virtualenv's programs first on PATH; one-shot services (`restart:
"no"`, such as database set-up and migrations) run to completion first, in the order of their `depends_on`.
"""

import base64
import html.parser
import http.client
import json
import os
import re
import secrets
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

# Variables the served environment has beyond the compose file and .env.example: where this machine's web server
# listens and where its static files go (in the image: gunicorn.conf.py's default 0.0.0.0:8000, and
# STATIC_ROOT's default var/static, which the Dockerfile fills). Nothing else may be added.
MACHINE_LOCAL = {"GUNICORN_BIND", "STATIC_ROOT"}
# Values of .env.example that an operator must replace start with this; the test replaces them with fresh ones.
PLACEHOLDER = "change-me"
# What a process inherits from the machine besides those: nothing that the settings read.
INHERITED = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "USER", "LOGNAME")


# --- The files that define the shape ------------------------------------------------------------------------

def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def compose_environment(service=None) -> dict:
    """The environment a service gets from the compose file (default: the `x-app` block web, worker and beat
    share); `${VAR}` references are left for production_environment to fill."""
    spec = compose()
    block = spec["services"][service].get("environment", spec["x-app"]["environment"]) if service else \
        spec["x-app"]["environment"]
    return {k: str(v) for k, v in block.items()}


def one_shot_services() -> list[str]:
    """Services that run once and exit before the site serves (`restart: "no"`), dependencies first."""
    services = compose()["services"]
    pending = [name for name, spec in services.items() if str(spec.get("restart", "")) == "no"]
    ordered = []
    while pending:
        ready = [n for n in pending if not set(services[n].get("depends_on") or {}) & set(pending)]
        assert ready, f"a cycle among {pending}"
        ordered += ready
        pending = [n for n in pending if n not in ready]
    return ordered


def worker_services() -> list[str]:
    """The services that run a Celery worker (one per queue), in the compose file's order."""
    return [name for name, spec in compose()["services"].items()
            if "command" in spec and compose_argv(name)[:4] == ["celery", "-A", "registry", "worker"]]


def env_example() -> dict:
    values = {}
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def compose_argv(service, key="command") -> list[str]:
    value = compose()["services"][service][key]
    return shlex.split(value) if isinstance(value, str) else [str(v) for v in value]


def dockerfile_env() -> dict:
    env = {}
    for line in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines():
        if line.startswith("ENV "):
            env.update(dict(pair.split("=", 1) for pair in shlex.split(line[4:])))
    return env


def dockerfile_step(command: str) -> str:
    """The shell command of the Dockerfile's RUN step that runs `command` (continuations joined)."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    for line in text.splitlines():
        if line.startswith("RUN "):
            for part in line[4:].split("&&"):
                if command in part:
                    return " ".join(part.split())
    raise AssertionError(f"the Dockerfile runs no {command!r}")


# --- The environment ----------------------------------------------------------------------------------------

class Services:
    """Where the compose file's services are on this machine: {compose host: (host, port, user, password)}."""

    def __init__(self, postgres, redis, mail):
        # The one PostgreSQL here stands in for the replica as well: the router reads it as a replica that lags by
        # nothing (it is not in recovery), so the walk goes through the router's replica path.
        self.hosts = {"postgres": postgres, "postgres-replica": postgres, "redis": redis, "mail": mail}


def fresh_secret(name: str) -> str:
    if name.endswith("ENCRYPTION_KEY"):  # a Fernet key
        return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    return secrets.token_urlsafe(48)


def operator_dotenv() -> dict:
    """The operator's .env: .env.example with every placeholder filled in (once per site: all services share it)."""
    return {k: fresh_secret(k) if v.startswith(PLACEHOLDER) else v for k, v in env_example().items()}


def interpolate(value: str, dotenv: dict) -> str:
    """Compose's `${VAR}`, `${VAR:?}` and `${VAR:-default}`, filled from the .env file."""
    def fill(match):
        name, default = match.group(1), match.group(3) or ""
        if name in dotenv:
            return dotenv[name]
        assert match.group(2) != ":?", f"the compose file needs {name}, which .env.example does not set"
        return default

    return re.sub(r"\$\{(\w+)(:\?|:-)?([^}]*)\}", fill, value)


POSTGRES_HOSTS = ("postgres", "postgres-replica")


def _superuser() -> str:
    return str(compose()["services"]["postgres"].get("environment", {}).get("POSTGRES_USER", "postgres"))


def _localise_url(value: str, services: Services, database: str) -> str:
    parts = urlsplit(value)
    if parts.hostname not in services.hosts:
        return value
    host, port, user, password = services.hosts[parts.hostname]
    auth = ""
    if parts.username:
        # The compose file's superuser is this machine's administrator; other roles keep their names and passwords.
        if parts.hostname in POSTGRES_HOSTS and parts.username != _superuser():
            user, password = parts.username, parts.password
        auth = (user or "") + (f":{password}" if password else "") + "@"
    path = f"/{database}" if parts.hostname in POSTGRES_HOSTS else parts.path
    return urlunsplit((parts.scheme, f"{auth}{host}:{port}", path, parts.query, parts.fragment))


def production_environment(services: Services, *, database: str, var_dir: Path, port: int, dotenv=None,
                           service=None) -> dict:
    """The environment of a service's processes: compose + .env.example, localised; see the module's doc."""
    dotenv = dotenv if dotenv is not None else operator_dotenv()
    env = {k: os.environ[k] for k in INHERITED if k in os.environ}
    env["PATH"] = f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"  # `python`, `gunicorn`, `celery` of this venv
    env.update(dockerfile_env())
    env.update(dotenv)
    for key, value in compose_environment(service).items():
        value = interpolate(value, dotenv)
        if "://" in value:
            value = _localise_url(value, services, database)
        elif value.startswith(("/app/", "/tmp/")):
            value = localise_path(value, var_dir)
        env[key] = value
    env["GUNICORN_BIND"] = f"127.0.0.1:{port}"
    env["STATIC_ROOT"] = str(var_dir / "static")
    return env


def localise_path(text: str, var_dir: Path) -> str:
    """Paths inside the container (/app/…, /tmp/…) as temporary ones here, wherever they stand in `text`."""
    text = re.sub(r"(?<![\w.])/app/", f"{var_dir}/", text)
    return re.sub(r"(?<![\w.])/tmp/", f"{var_dir}/tmp/", text)


def localise_argv(argv, var_dir: Path, port: int) -> list[str]:
    """A compose command as it runs here: container paths become temporary ones, port 8000 ours."""
    return [localise_path(arg, var_dir).replace("127.0.0.1:8000", f"127.0.0.1:{port}") for arg in argv]


# --- Processes ----------------------------------------------------------------------------------------------

class Process:
    def __init__(self, name, argv, env, log_dir: Path, shell=False):
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        self.log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True, shell=shell)

    def tail(self, chars=4000) -> str:
        self.log.flush()
        return f"--- {self.name} ---\n" + self.log_path.read_text(errors="replace")[-chars:]

    def alive(self) -> bool:
        return self.proc.poll() is None

    def wait_for_log(self, needle: bytes, timeout=60.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if needle in self.log_path.read_bytes():
                return
            if not self.alive():
                raise RuntimeError(f"{self.name} exited\n{self.tail()}")
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not log {needle!r} in {timeout} s\n{self.tail()}")

    def stop(self):
        if self.alive():
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
            except ProcessLookupError:
                pass
        self.log.close()


def run(argv, env, timeout=300, shell=False) -> str:
    result = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, shell=shell)
    output = result.stdout + result.stderr
    if result.returncode != 0:
        raise AssertionError(f"{argv} exited {result.returncode}:\n{output[-6000:]}")
    return output


def start_redis(tmp: Path, port: int) -> Process:
    """A private Redis: the broker's and the cache's databases of this test, and no other test's."""
    server = shutil.which("redis-server")
    if not server:
        raise FileNotFoundError("redis-server")
    proc = Process("redis", [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
                             "no", "--dir", str(tmp)], dict(os.environ), tmp)
    proc.port = port
    proc.wait_for_log(b"Ready to accept connections", timeout=20)
    return proc


# --- The data the walk needs, made by the served code itself (`manage.py shell`) ------------------------------

def populate():
    """Staff with a second factor, organisations with an application in the queue, a member, and an application
    whose public notice has ended, left for beat to admit. Prints one JSON line for the test."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.utils import timezone
    from django_celery_beat.models import PeriodicTask

    from partners.enums import ApplicationState
    from partners.models import Application, Membership, Notification
    from partners.services import privacy
    from partners.services.membership import admit_due_applications
    from partners.tasks import PERIODIC_TASKS
    from tests.factories import (
        PASSWORD,
        OrganizationFactory,
        UserFactory,
        advance,
        make_staff,
        submitted_application,
    )

    notice = privacy.current_notice()
    out = {"password": PASSWORD, "staff": {}}
    staff = {}
    for role in ("reviewer", "approver", "administrator"):
        user = staff[role] = make_staff(role, email=f"{role}@prod-shape.example")
        if role == "administrator":  # the business administrator uses the Django admin, as in the demo data
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        secret = generate_totp_secret()
        TOTP.activate(user, secret)
        privacy.record_consent(user, notice)
        out["staff"][role] = {"email": user.email, "totp": secret}

    def owner(email):
        person = OrganizationFactory(owner=UserFactory(email=email)).owner
        privacy.record_consent(person, notice)
        return person

    def to_publicity(person):
        application = advance(submitted_application(person), ApplicationState.PUBLICITY,
                              reviewer=staff["reviewer"], approver=staff["approver"])
        Application.objects.filter(pk=application.pk).update(publicity_ends_at=timezone.now())
        return application

    queued_owner = owner("applicant@prod-shape.example")
    queued = submitted_application(queued_owner)
    member_app = to_publicity(owner("member@prod-shape.example"))
    assert admit_due_applications() == 1
    waiting_owner = owner("waiting@prod-shape.example")
    waiting = to_publicity(waiting_owner)
    # Beat's end-of-notice job last ran a day ago: due at once, so beat sends it when it starts.
    entry = next(name for name, spec in PERIODIC_TASKS.items() if spec["task"].endswith(".end_publicity_periods"))
    task = PeriodicTask.objects.get(name=entry)
    task.last_run_at = timezone.now() - timezone.timedelta(days=1)
    task.save()
    out.update({
        "applicant": queued_owner.email, "queued_id": queued.pk, "queued_org": queued.organization.name,
        "queued_org_id": queued.organization_id,
        "member_number": Membership.objects.get(organization=member_app.organization).number,
        "waiting_id": waiting.pk, "waiting_public_id": str(waiting.public_id),
        "waiting_org": waiting.organization.name, "waiting_owner": waiting_owner.email,
        "last_notification_id": Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0,
    })
    print("PRODUCTION_SHAPE " + json.dumps(out, ensure_ascii=False))


# --- A browser without a browser: cookies, CSRF, the proxy's headers -----------------------------------------

class Response:
    def __init__(self, status, headers, body, url):
        self.status, self.headers, self.body, self.url = status, headers, body, url

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def header(self, name, default=""):
        return self.headers.get(name.lower(), default)

    def json(self):
        return json.loads(self.body)


class FormParser(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms, self._form = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {"action": attrs.get("action") or "", "fields": {}}
            self.forms.append(self._form)
        elif tag in ("input", "textarea", "select") and self._form is not None and attrs.get("name"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self._form["fields"].setdefault(attrs["name"], attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def forms(page: str) -> list[dict]:
    parser = FormParser()
    parser.feed(page)
    return parser.forms


class Browser:
    """One person's HTTP session with the site behind a TLS-terminating proxy at the public address."""

    def __init__(self, port, host, who, language="en"):
        self.port, self.host, self.who, self.language = port, host, who, language
        self.cookies = {}
        self.set_cookies = []  # every Set-Cookie header as sent, attributes included
        self.log = []  # (method, path, status) of every request

    def request(self, method, path, data=None, headers=None, secure=True) -> Response:
        if path.startswith(("http://", "https://")):
            parts = urlsplit(path)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
        sent = {"Host": self.host, "Accept-Language": self.language, "User-Agent": "production-shape-test"}
        if secure:
            sent["X-Forwarded-Proto"] = "https"
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data, doseq=True).encode()
            sent.update({"Content-Type": "application/x-www-form-urlencoded", "Origin": f"https://{self.host}",
                         "Referer": f"https://{self.host}{path}"})
            if "csrftoken" in self.cookies:
                sent["X-CSRFToken"] = self.cookies["csrftoken"]
        sent.update(headers or {})
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request(method, path, body=body, headers=sent)
            raw = conn.getresponse()
            payload = raw.read()
            headers_ = {}
            for name, value in raw.getheaders():
                if name.lower() == "set-cookie":
                    self.set_cookies.append(value)
                    cookie, _, _attrs = value.partition(";")
                    key, _, val = cookie.partition("=")
                    if val in ('""', "") or "max-age=0" in value.lower():
                        self.cookies.pop(key.strip(), None)
                    else:
                        self.cookies[key.strip()] = val.strip()
                headers_[name.lower()] = value
        finally:
            conn.close()
        self.log.append((method, path, raw.status))
        return Response(raw.status, headers_, payload, path)

    def get(self, path, **kw) -> Response:
        return self.request("GET", path, **kw)

    def follow(self, response: Response, limit=10) -> Response:
        while response.status in (301, 302, 303, 307, 308) and limit:
            response = self.get(response.header("location"))
            limit -= 1
        return response

    def submit(self, path, values=None, form_index=None, page: Response | None = None) -> Response:
        """GET a page, fill its form (the one with a CSRF token, or form_index), POST it; the answer unfollowed."""
        page = page or self.get(path)
        assert page.status == 200, (path, page.status, page.text[:2000])
        candidates = forms(page.text)
        form = candidates[form_index] if form_index is not None else next(
            f for f in candidates if "csrfmiddlewaretoken" in f["fields"] and f["action"] not in (
                "/i18n/setlang/",) and "logout" not in f["action"])
        fields = {**form["fields"], **(values or {})}
        return self.request("POST", form["action"] or page.url, data=fields)


def text_of(message) -> str:
    """The decoded text of every text part of an e-mail."""
    parts = message.walk() if message.is_multipart() else [message]
    return "\n".join(p.get_payload(decode=True).decode(p.get_content_charset() or "utf-8", errors="replace")
                     for p in parts if p.get_content_maintype() == "text")


def totp_now(secret: str) -> str:
    """The code of the current 30-second step; near the step's end, the next one's (no tolerance is allowed)."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    if time.time() % 30 > 20:
        time.sleep(30 - time.time() % 30 + 0.5)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


STATIC_REF = re.compile(r"""(?:href|src)=["'](/static/[^"'?#]+)""")
HASHED = re.compile(r"\.[0-9a-f]{12}\.[A-Za-z0-9]+$")
