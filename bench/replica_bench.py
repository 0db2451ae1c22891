#!/usr/bin/env python
"""Public reads with and without a streaming replica: a private primary filled by bench/generate, a hot standby
cloned from it with pg_basebackup -R, and bench/load.py run twice on the same URLs, response cache off: once with
every read on the primary, once with DATABASE_REPLICA_URLS naming the replica. The replica's committed
transactions before and after each run show where the reads went.

    .venv/bin/python bench/replica_bench.py --scale 1 --max-events 100000 --duration 10

Both servers and gunicorn share this machine's cores, so the second run cannot show more capacity, only what
routing costs and that the replica carries the reads; docs/OPERATIONS.md and bench/RESULTS.md give the arithmetic
for replicas on machines of their own. Needs the PostgreSQL server programs (as tests/integration/ does).
"""

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.integration import replica_env  # noqa: E402

PUBLIC = "home,directory,directory_type,directory_search,member,api_members,api_members_filtered,api_members_search," \
         "api_member"


def cpu_seconds(server) -> float:
    """CPU time used so far by a server: its postmaster, the backends that ended (the postmaster's children's
    time) and the backends still running."""
    tick = os.sysconf("SC_CLK_TCK")

    def times(pid, children=False):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        used = int(fields[11]) + int(fields[12])  # utime, stime
        return used + (int(fields[13]) + int(fields[14]) if children else 0)  # cutime, cstime

    pid = int((server.data / "postmaster.pid").read_text().split()[0])
    total = times(pid, children=True)
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        try:
            total += times(child)
        except FileNotFoundError:
            pass
    return total / tick


def commits(server, database) -> int:
    return server.sql("postgres", "SELECT xact_commit FROM pg_stat_database WHERE datname = %s", (database,))[0][0]


def _proc_cpu(pid) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _descendants(pid) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        try:
            children = [int(c) for c in Path(f"/proc/{current}/task/{current}/children").read_text().split()]
        except FileNotFoundError:
            continue
        found += children
        todo += children
    return found


class WebCpu:
    """CPU seconds of the gunicorn processes under a load.py run, sampled as it goes (they end with the run)."""

    def __init__(self, root_pid):
        self.root, self.seen = root_pid, {}

    def sample(self) -> float:
        for pid in _descendants(self.root):
            try:
                if b"gunicorn" in Path(f"/proc/{pid}/cmdline").read_bytes():
                    self.seen[pid] = _proc_cpu(pid)
            except (FileNotFoundError, ProcessLookupError):
                pass
        return sum(self.seen.values())


def run_load(env, args, label, pair):
    """load.py, with the CPU time of gunicorn, the primary and the replica taken at the end of each URL's run."""
    print(f"\n=== {label} ===", flush=True)
    proc = subprocess.Popen([sys.executable, "bench/load.py", "--duration", str(args.duration), "--only", args.only,
                             "--out", f"bench/out/replica-{label}.json"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            text=True)
    web = WebCpu(proc.pid)
    stop = threading.Event()

    def keep_sampling():
        while not stop.wait(0.5):
            web.sample()

    sampler = threading.Thread(target=keep_sampling, daemon=True)
    sampler.start()
    rows, last = [], None
    for line in proc.stdout:
        print(line, end="", flush=True)
        if line.startswith("{"):
            now = (web.sample(), cpu_seconds(pair.primary), cpu_seconds(pair.replica))
            row = json.loads(line)
            if last is not None:  # the first row's share includes gunicorn's start
                served = row["rps"] * args.duration
                row.update({f"{k}_ms": round(1000 * (b - a) / served, 2) for k, a, b in
                            zip(("web", "primary", "replica"), last, now, strict=True)})
                rows.append(row)
            last = now
    stop.set()
    if proc.wait():
        raise SystemExit(f"load.py failed ({proc.returncode})")
    print(f"\nCPU per request, {label} (ms of CPU time, measured between the ends of consecutive URLs):")
    print("| endpoint | req/s | gunicorn | primary | replica |\n|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['name']} | {r['rps']:.0f} | {r['web_ms']} | {r['primary_ms']} | {r['replica_ms']} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", default="1")
    parser.add_argument("--max-events", default="100000", help="audit events (the public reads read none)")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--only", default=PUBLIC)
    args = parser.parse_args()

    pair = replica_env.Pair(database="replica_bench", log_statements=False)
    try:
        started = time.monotonic()
        pair.start_primary()
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("DATABASE_", "REPLICA_", "READ_YOUR_WRITES", "DJANGO_SETTINGS_MODULE"))}
        env.update(DATABASE_URL=pair.primary.url(pair.database), PUBLIC_RESPONSE_CACHE="0")
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT,
                       env={**env, "DEBUG": "1"}, check=True)
        subprocess.run([sys.executable, "bench/generate", "--scale", args.scale,
                        "--max-events", args.max_events], cwd=ROOT, env=env, check=True)
        pair.primary.sql(pair.database, "VACUUM ANALYZE")
        pair.start_replica()
        print(f"primary and replica ready in {time.monotonic() - started:.0f} s", flush=True)

        for label, extra in (("primary-only", {}),
                             ("with-replica", {"DATABASE_REPLICA_URLS": pair.replica.url(pair.database)})):
            before = {"commits": commits(pair.replica, pair.database), "primary": cpu_seconds(pair.primary),
                      "replica": cpu_seconds(pair.replica), "wall": time.monotonic()}
            run_load({**env, **extra}, args, label, pair)
            print(f"\n{label}: {commits(pair.replica, pair.database) - before['commits']} transactions on the "
                  f"replica; CPU seconds used by the primary {cpu_seconds(pair.primary) - before['primary']:.1f}, "
                  f"by the replica {cpu_seconds(pair.replica) - before['replica']:.1f}, over "
                  f"{time.monotonic() - before['wall']:.0f} s", flush=True)
    finally:
        pair.remove()


if __name__ == "__main__":
    main()
