"""A private PostgreSQL primary and its streaming replica (initdb, pg_basebackup -R) and gunicorn servers reading
through the replica router, for tests/integration/test_read_replicas.py. The shared server is never touched."""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def pg_bin() -> Path:
    """Where initdb and pg_ctl live: $PG_BIN, else what pg_config says, else Debian's place for version 15."""
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    try:
        found = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        found = ""
    if found and (Path(found) / "initdb").exists():
        return Path(found)
    return Path("/usr/lib/postgresql/15/bin")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def as_postgres(args):
    """The server refuses to run as root: run its tools as the postgres account when we are root."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return args


class Server:
    """One PostgreSQL server in a folder of its own; every statement is logged, so a test can see which server
    answered a query."""

    def __init__(self, base: Path, name: str, log_statements=True):
        self.dir = base / name
        self.dir.mkdir()
        self.data = self.dir / "data"
        self.log = self.dir / "log"
        self.port = free_port()
        self.log_statements = log_statements
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")

    def tool(self, *args, timeout=120):
        subprocess.run(as_postgres([str(pg_bin() / args[0]), *args[1:]]), check=True, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=timeout)

    def start(self):
        options = (f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
                   f"-c synchronous_commit=off -c log_statement={'all' if self.log_statements else 'none'} "
                   "-c wal_level=replica -c max_wal_senders=4 -c hot_standby=on -c wal_receiver_status_interval=1s")
        self.tool("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "-o", options, "start")

    def stop(self, mode="fast"):
        subprocess.run(as_postgres([str(pg_bin() / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"]),
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)

    def url(self, db) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{db}"

    def sql(self, db, statement, params=()):
        with psycopg.connect(self.url(db), autocommit=True, connect_timeout=5) as conn:
            cur = conn.execute(statement, params)
            return cur.fetchall() if cur.description else None

    def logged(self, text: str) -> bool:
        return text in self.log.read_text(errors="replace")


class Pair:
    """A primary with a database of the registry's schema, and a hot standby streaming from it."""

    def __init__(self, database="registry_replica", log_statements=True):
        self.base = Path(tempfile.mkdtemp(prefix="registry-replica-"))
        if os.geteuid() == 0:
            shutil.chown(self.base, "postgres", "postgres")
        self.database = database
        self.primary = Server(self.base, "primary", log_statements)
        self.replica = Server(self.base, "replica", log_statements)

    def start_primary(self):
        self.primary.tool("initdb", "-D", str(self.primary.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self.primary.start()
        self.primary.sql("postgres", f'CREATE DATABASE "{self.database}"')

    def start_replica(self):
        """A base backup that writes its own standby.signal and primary_conninfo (-R), then a hot standby."""
        self.replica.tool("pg_basebackup", "-h", "127.0.0.1", "-p", str(self.primary.port), "-U", "postgres",
                          "-D", str(self.replica.data), "-R", "-X", "stream", "-c", "fast")
        self.replica.start()
        self.wait_caught_up()

    def wait_caught_up(self, timeout=30):
        """Until the replica has replayed everything the primary has written so far."""
        target = self.primary.sql("postgres", "SELECT pg_current_wal_lsn()::text")[0][0]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if self.replica.sql("postgres", "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (target,))[0][0]:
                    return
            except psycopg.OperationalError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"the replica did not catch up: {self.replica.log.read_text()[-2000:]}")

    def remove(self):
        for server in (self.replica, self.primary):
            if server.data.exists():
                server.stop("immediate")
        shutil.rmtree(self.base, ignore_errors=True)


def load_schema(pair: Pair, test_settings: dict, env: dict):
    """The registry's schema and reference data on the primary: copied from the migrated test database with this
    machine's pg_dump (seconds), or, where that cannot read the server (another major version), migrated."""
    name = (test_settings.get("TEST") or {}).get("NAME") or f"test_{test_settings['NAME']}"
    source = (f"postgres://{test_settings['USER'] or 'postgres'}"
              f"{':' + test_settings['PASSWORD'] if test_settings['PASSWORD'] else ''}"
              f"@{test_settings['HOST'] or '127.0.0.1'}:{test_settings['PORT'] or 5432}/{name}")
    dump = subprocess.run([str(pg_bin() / "pg_dump"), "--no-owner", "--no-privileges", "-d", source],
                          capture_output=True, timeout=120)
    if dump.returncode == 0:
        subprocess.run([str(pg_bin() / "psql"), "-q", "-v", "ON_ERROR_STOP=1", "-d",
                        pair.primary.url(pair.database)], input=dump.stdout, check=True, capture_output=True,
                       timeout=120)
        return
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True,
                   capture_output=True, timeout=300)


def app_env(pair: Pair, **settings) -> dict:
    """The environment of a process of the registry on the private pair; `settings` are extra variables."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DATABASE_", "REDIS_", "CELERY_", "REPLICA_", "READ_YOUR_WRITES"))}
    env.update({"DJANGO_SETTINGS_MODULE": "registry.settings_test", "PYTHONPATH": str(ROOT),
                "DATABASE_URL": pair.primary.url(pair.database), "AXES_ENABLED": "0", "LOG_LEVEL": "WARNING"})
    env.update({k: str(v) for k, v in settings.items()})
    return env


def run_python(code: str, env: dict) -> dict:
    """Run `code` in a Django shell of the pair; it prints one line `RESULT {json}`, which is returned."""
    done = subprocess.run([sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    return json.loads(done.stdout.split("RESULT ", 1)[1].splitlines()[0])


def populate(tag: str):
    """A member whose English name carries `tag`, and an applicant with an API key (run by run_python)."""
    from django.utils import timezone

    from partners.enums import ApplicationState
    from partners.services.membership import admit_due_applications
    from tests.api_helpers import key_for
    from tests.factories import OrganizationFactory, advance, make_staff, submitted_application

    owner = OrganizationFactory(name_en=f"Replica Member {tag}").owner
    reviewer = make_staff("reviewer", email=f"reviewer-{tag}@example.com")
    approver = make_staff("approver", email=f"approver-{tag}@example.com")
    advance(submitted_application(owner), ApplicationState.PUBLICITY, reviewer=reviewer, approver=approver)
    admit_due_applications(now=timezone.now() + timezone.timedelta(days=30))
    organization = owner.organizations.get()
    applicant = OrganizationFactory().owner
    _key, token = key_for(applicant)
    print("RESULT " + json.dumps({"member": organization.membership.number, "org": organization.pk,
                                  "token": token, "applicant_org": str(applicant.organizations.get().public_id)}))


class Web:
    """One gunicorn worker serving the registry on the pair (one process: one view of the replicas' health)."""

    def __init__(self, name, env, log_dir: Path):
        self.port = free_port()
        self.log_path = log_dir / f"{name}.log"
        self.log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [str(BIN / "gunicorn"), "-w", "1", "-b", f"127.0.0.1:{self.port}", "--timeout", "60",
             "registry.wsgi:application"], cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True)

    def wait_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"gunicorn exited: {self.tail()}")
            try:
                self.get("/health/live/")
                return
            except OSError:
                time.sleep(0.2)
        raise AssertionError(f"gunicorn did not start: {self.tail()}")

    def request(self, method, path, token=None, body=None, cookies=None):
        """(status, headers, parsed JSON or text); never raises for an HTTP error status."""
        headers = {"Accept": "application/json", "Accept-Language": "en"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data, headers=headers,
                                     method=method)
        try:
            with urllib.request.urlopen(req, timeout=60) as response:
                status, got, raw = response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            status, got, raw = error.code, error.headers, error.read()
        text = raw.decode(errors="replace")
        try:
            return status, got, json.loads(text)
        except ValueError:
            return status, got, text

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def tail(self, chars=4000) -> str:
        self.log.flush()
        return self.log_path.read_text(errors="replace")[-chars:]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
