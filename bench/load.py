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
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
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
    return out


def fill(path, values):
    return path.format(**values)


def placeholders():
    """Ids of real rows for the URL placeholders, read through Django."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "registry.settings")
    os.environ.setdefault("DEBUG", "1")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from partners.models import Application, Membership

    member = Membership.objects.order_by("id").values_list("id", "organization_id").first() or (0, 0)
    application = Application.objects.exclude(state="draft").order_by("-id").values_list("id", flat=True).first()
    return {"member_id": member[0], "org_id": member[1], "application_id": application or 0}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--urls", default=str(ROOT / "bench" / "urls.txt"))
    parser.add_argument("--only", default="", help="comma-separated names to run")
    parser.add_argument("--out", default="")
    parser.add_argument("--header", action="append", default=[], help="extra header for wrk, e.g. Cookie: …")
    args = parser.parse_args()

    env = dict(os.environ, DEBUG="0", SECRET_KEY=os.environ.get("SECRET_KEY", "bench-only-key"),
               SECURE_SSL_REDIRECT="0", SECURE_COOKIES="0", ALLOWED_HOSTS="127.0.0.1,localhost",
               GUNICORN_WORKERS=str(args.workers), MANIFEST_STATIC="0", AXES_ENABLED="0")
    port = free_port()
    env["GUNICORN_BIND"] = f"127.0.0.1:{port}"
    values = placeholders()
    lines = [ln.split(None, 1) for ln in Path(args.urls).read_text().splitlines() if ln.strip()
             and not ln.startswith("#")]
    wanted = set(filter(None, args.only.split(",")))
    targets = [("ceiling", "/ping/")] + [(n, fill(p.strip(), values)) for n, p in lines
                                         if not wanted or n in wanted]
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
        results = []
        for name, path in targets:
            url = f"http://127.0.0.1:{port}{path}"
            urllib.request.urlopen(url, timeout=10).read()  # warm up and check it answers
            cmd = ["wrk", "-t2", f"-c{args.connections}", f"-d{args.duration}s", "--latency", url]
            for h in args.header:
                cmd += ["-H", h]
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=args.duration + 30).stdout
            row = {"name": name, "path": path, **parse_wrk(out)}
            results.append(row)
            print(json.dumps(row, ensure_ascii=False), flush=True)
        ceiling = results[0]["rps"]
        print("\n| endpoint | path | req/s | p50 ms | p99 ms | share of bare view |\n|---|---|---|---|---|---|")
        for r in results:
            print(f"| {r['name']} | `{r['path']}` | {r['rps']:.0f} | {r.get('p50_ms')} | {r.get('p99_ms')} | "
                  f"{r['rps'] / ceiling:.0%} |")
        if args.out:
            Path(args.out).parent.mkdir(parents=True, exist_ok=True)
            Path(args.out).write_text(json.dumps(results, indent=2, ensure_ascii=False))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
