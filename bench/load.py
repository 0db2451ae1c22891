#!/usr/bin/env python
"""Load benchmark: serve the registry with gunicorn (the docker-compose configuration) on 127.0.0.1 and
measure each URL with wrk at 16 connections, beside the bare `/ping/` view measured in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/load.py \
        --duration 10 --out bench/out/load.json

URLs come from bench/urls.txt (one `name path` per line; `{member_id}` and similar placeholders are
filled from the database). Results: requests/s, p50 and p99 latency, and the ratio to the ceiling.
Every request loop is bounded by --duration; only loopback addresses are used.
"""

import argparse
import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def to_ms(value, unit):
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def parse_wrk(text):
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    lat = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", text, re.M))
    out = {"rps": rps}
    for p, v in lat.items():
        m = re.match(r"([\d.]+)(\w+)", v)
        out[f"p{p}_ms"] = round(to_ms(m.group(1), m.group(2)), 2)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    out["errors"] = int(non2xx.group(1)) if non2xx else 0
    # wrk leaves a request that outlives --timeout out of its latencies and counts it here: a slow URL would
    # otherwise look fast. Every timeout and socket error is a failure of the row.
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    out["timeouts"] = int(sock.group(4)) if sock else 0
    out["socket_errors"] = sum(int(sock.group(i)) for i in (1, 2, 3)) if sock else 0
    out["requests"] = int(re.search(r"(\d+) requests in", text).group(1))
    out["failed"] = bool(out["errors"] or out["timeouts"] or out["socket_errors"])
    return out


def fill(path, values):
    """The path with its placeholders filled and non-ASCII characters (Chinese searches) percent-encoded."""
    return urllib.parse.quote(path.format(**values), safe="/?=&%-_.~")


def placeholders():
    """Ids of real rows for the URL placeholders, read through Django."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "registry.settings")
    os.environ.setdefault("DEBUG", "1")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from partners.models import Application, Industry, Membership

    member = Membership.objects.order_by("id").values_list("id", "organization_id", "number").first() or (0, 0, "")
    # An application from bench/generate (not one of submit_bench.py's, whose names are all alike).
    application = (Application.objects.exclude(state="draft").filter(created_by__email="bench-owner@bench.example")
                   .order_by("-id").values_list("id", flat=True).first())
    industry = Industry.objects.order_by("position", "code").values_list("code", flat=True).first() or ""
    from partners.services import directory

    # A deep directory page: the cursor of the member 10,000 rows down the newest-first order.
    deep = directory.public_members().order_by("-admitted_at", "-pk")[10_000:10_001].first()
    credit_code = (Application.objects.filter(pk=application).values_list("organization__credit_code", flat=True)
                   .first() or "")
    return {"member_id": member[0], "org_id": member[1], "member_number": member[2],
            "application_id": application or 0, "industry": industry,
            "deep_cursor": directory.encode_cursor(deep) if deep else "", "credit_code": credit_code}


def server_env(workers):
    """The environment of the benchmark server: production settings on loopback, throttles lifted."""
    return dict(os.environ, DEBUG="0", SECRET_KEY=os.environ.get("SECRET_KEY", "bench-only-key"),
                SECURE_SSL_REDIRECT="0", SECURE_COOKIES="0", ALLOWED_HOSTS="127.0.0.1,localhost",
                GUNICORN_WORKERS=str(workers), AXES_ENABLED="0",
                # One client address (or key) sends every request, so the per-client API throttles are lifted;
                # a one-second window keeps the throttle's history as short as real clients keep it.
                API_ANON_RATE=os.environ.get("API_ANON_RATE", "1000000/s"),
                API_KEY_RATE=os.environ.get("API_KEY_RATE", "1000000/s"))


@contextlib.contextmanager
def serve(workers):
    """gunicorn with registry/gunicorn.conf.py on a free loopback port; yields the base URL."""
    port = free_port()
    env = server_env(workers)
    env["GUNICORN_BIND"] = f"127.0.0.1:{port}"
    # Static files as the image has them: hashed names and their manifest (every page's {% static %} reads it).
    static_root = Path(os.environ.get("BENCH_STATIC_ROOT", ROOT / "bench" / "out" / "static"))
    env["STATIC_ROOT"] = str(static_root)
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "registry/gunicorn.conf.py", "registry.wsgi:application"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/ping/", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)


def wrk(url, *, duration, connections=16, headers=(), timeout=60, script=None):
    """One wrk run. `timeout` (s) is above the slowest answer we could get, so no slow answer is dropped
    from the latencies (wrk's default of 2 s hid them); a request that still exceeds it counts as failed."""
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", f"--timeout={timeout}s", "--latency"]
    if script:
        cmd += ["-s", script]
    cmd.append(url)
    for h in headers:
        cmd += ["-H", h]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + timeout + 30)
    return parse_wrk(done.stdout)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=int, default=60,
                        help="wrk's per-request timeout in seconds; a request that exceeds it is a failure")
    parser.add_argument("--urls", default=str(ROOT / "bench" / "urls.txt"))
    parser.add_argument("--only", default="", help="comma-separated names to run")
    parser.add_argument("--out", default="")
    parser.add_argument("--header", action="append", default=[], help="extra header for wrk, e.g. Cookie: …")
    parser.add_argument("--staff-header", action="append", default=[],
                        help="header for the lines marked `staff` (bench/staff_session.py prints one)")
    args = parser.parse_args()

    values = placeholders()
    lines = [ln.split() for ln in Path(args.urls).read_text().splitlines() if ln.strip()
             and not ln.startswith("#")]
    wanted = set(filter(None, args.only.split(",")))
    targets = [("ceiling", "/ping/", [])]
    for name, path, *flags in lines:
        if wanted and name not in wanted:
            continue
        if "staff" in flags and not args.staff_header:
            print(f"skipped {name}: no --staff-header", file=sys.stderr)
            continue
        targets.append((name, fill(path, values), args.staff_header if "staff" in flags else []))
    # The bare view again at the end: other work on the machine shows as a difference between the two.
    targets.append(("ceiling_end", "/ping/", []))
    load_before = os.getloadavg()
    with serve(args.workers) as base:
        results = []
        for name, path, headers in targets:
            url = f"{base}{path}"
            headers = args.header + headers
            warm = urllib.request.Request(url, headers=dict(h.split(": ", 1) for h in headers))
            with urllib.request.urlopen(warm, timeout=30) as answer:  # warm up and check it answers
                if answer.status != 200 or answer.url != url:
                    sys.exit(f"{name}: {url} answered {answer.status} at {answer.url}")
            row = {"name": name, "path": path,
                   **wrk(url, duration=args.duration, connections=args.connections, headers=headers,
                         timeout=args.timeout)}
            results.append(row)
            print(json.dumps(row, ensure_ascii=False), flush=True)
        ceiling = max(results[0]["rps"], results[-1]["rps"])
        print(f"\nmachine load average (1, 5, 15 min): before {load_before}, after {os.getloadavg()}; "
              f"{args.workers} gunicorn workers, wrk -c{args.connections} -d{args.duration}s")
        print("\n| endpoint | path | req/s | p50 ms | p99 ms | share of bare view (the faster of its two runs) "
              "| failures (non-2xx, timeouts, socket errors) |\n|---|---|---|---|---|---|---|")
        for r in results:
            failures = (f"**FAILED** {r['errors']}, {r['timeouts']}, {r['socket_errors']} of {r['requests']}"
                        if r["failed"] else "0")
            print(f"| {r['name']} | `{r['path']}` | {r['rps']:.0f} | {r.get('p50_ms')} | {r.get('p99_ms')} | "
                  f"{r['rps'] / ceiling:.0%} | {failures} |")
        if args.out:
            Path(args.out).parent.mkdir(parents=True, exist_ok=True)
            Path(args.out).write_text(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
