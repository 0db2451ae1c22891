#!/usr/bin/env python
"""Mixed workload: wrk reads spread over at least 80 public URLs while a writer edits organisations and admits
members at a fixed rate; throughput and p99 against the same reads with no writes, and a read-after-write check.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench REDIS_URL=redis://127.0.0.1:6379/9 \
        .venv/bin/python bench/mixed.py --duration 20 --rates 0,1,10 --out bench/out/mixed.json

Each write is a committed transaction (an organisation's description through a locked save, or the admission
of an application in public notice through the workflow engine). Right after its commit the writer reads the
member's page and API detail over HTTP and checks that they show the write: a stale read is counted, never
hidden. Only loopback addresses are used.
"""

import argparse
import itertools
import json
import os
import random
import re
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import fill, serve, wrk  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
EDIT = re.compile(r"bench-edit-(\d{12})")
# Edit numbers grow for the whole run (from the clock, so a later run's are larger than an earlier run's).
SEQUENCE = itertools.count(int(time.time()) * 100)


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "registry.settings")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", "bench-only-key")
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def read_urls(rng, n_members=30):
    """At least 80 read URLs: directory pages and filters, searches, member pages, API lists and details."""
    from partners.enums import PartnerType
    from partners.models import District, Industry, Membership

    members = list(Membership.objects.filter(state="active").order_by("-admitted_at", "-id")
                   .values_list("number", flat=True)[:2000])
    numbers = rng.sample(members, min(n_members, len(members)))
    districts = list(District.objects.filter(active=True).values_list("code", flat=True))
    industries = list(Industry.objects.filter(active=True).values_list("code", flat=True))
    urls = ["/", "/statistics/", "/members/", "/api/v1/members/"]
    urls += [f"/members/?type={t}" for t in PartnerType.values]
    urls += [f"/members/?district={d}" for d in districts]
    urls += [f"/members/?industry={i}" for i in industries[:6]]
    urls += [f"/members/?type={rng.choice(PartnerType.values)}&district={d}" for d in districts[:6]]
    urls += [f"/members/?q={q}" for q in ("九章", "灵犀", "中关村灵犀智能", "Bench", "盘古")]
    urls += [f"/api/v1/members/?partner_type={t}" for t in PartnerType.values]
    urls += [f"/api/v1/members/?district={d}" for d in districts[:4]]
    urls += [f"/api/v1/members/?partner_type=model&industry={i}" for i in industries[:3]]
    urls += [f"/api/v1/members/?q={q}" for q in ("九章", "智算")]
    urls += [f"/members/{n}/" for n in numbers]
    urls += [f"/api/v1/members/{n}/" for n in numbers]
    return [fill(u, {}) for u in urls], numbers


def lua_script(paths):
    body = ",\n".join(json.dumps(p) for p in paths)
    text = ("paths = {\n" + body + "\n}\ncounter = 0\n"
            "request = function()\n  counter = counter + 1\n"
            "  return wrk.format(\"GET\", paths[math.random(#paths)])\nend\n")
    handle = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    handle.write(text)
    handle.close()
    return handle.name


class Writer(threading.Thread):
    """Writes at `rate` per second until stopped: organisation edits and, every other write, an admission."""

    def __init__(self, base, rate, numbers, rng):
        super().__init__(daemon=True)
        self.base, self.rate, self.numbers, self.rng = base, rate, numbers, rng
        self.stop = threading.Event()
        self.writes = self.edits = self.admissions = self.checks = 0
        self.publicity = None  # ids of applications in public notice, not yet admitted by this writer
        self.stale = []
        # The reads that check a write run beside the writer (started right after its commit), so that a slow
        # answer under load does not hold back the next write.
        self.checkers = ThreadPoolExecutor(max_workers=8)
        self.lock = threading.Lock()

    def check(self, path, expected):
        """The answer shows the write: its text, or for an edit that write's number or a later one (the same
        member may have been edited again meanwhile)."""
        status, body = self.fetch(path)
        seen = [int(n) for n in EDIT.findall(body)]
        fresh = expected in body or (EDIT.fullmatch(expected) and any(n >= int(expected[-12:]) for n in seen))
        with self.lock:
            self.checks += 1
            if status != 200 or not fresh:
                self.stale.append(path)

    def fetch(self, path):
        with urllib.request.urlopen(self.base + path, timeout=30) as answer:
            return answer.status, answer.read().decode()

    def edit(self):
        from django.db import transaction

        from partners.models import Membership, Organization

        number = self.rng.choice(self.numbers)
        token = f"bench-edit-{next(SEQUENCE):012d}"
        with transaction.atomic():
            org_id = Membership.objects.filter(number=number).values_list("organization_id", flat=True).get()
            org = Organization.objects.select_for_update().get(pk=org_id)
            org.description = token
            org.save(update_fields=["description", "updated_at"])
        self.edits += 1
        for path in (f"/members/{number}/", f"/api/v1/members/{number}/"):
            self.checkers.submit(self.check, path, token)

    def admit(self):
        from partners import workflow
        from partners.enums import ApplicationState
        from partners.models import Application, Membership

        if self.publicity is None:
            # Drawn once and shuffled: ORDER BY random() over every application in public notice cost the database
            # 10 ms at 100,000 organisations and 100 ms at 1,000,000 per admission, which the reads then paid for.
            self.publicity = list(Application.objects.filter(state=ApplicationState.PUBLICITY)
                                  .values_list("pk", flat=True))
            self.rng.shuffle(self.publicity)
        if not self.publicity:
            return self.edit()
        pk = self.publicity.pop()
        workflow.fire(pk, "admit", workflow.Actor(system=True), expected_state=ApplicationState.PUBLICITY)
        self.admissions += 1
        number = Membership.objects.filter(organization__applications=pk).values_list("number", flat=True).get()
        self.checkers.submit(self.check, f"/api/v1/members/{number}/", number)

    def run(self):
        from django.db import connection, reset_queries

        if not self.rate:
            return
        interval = 1.0 / self.rate
        next_at = time.monotonic()
        while not self.stop.is_set():
            try:
                (self.admit if self.writes % 2 else self.edit)()
            except Exception as exc:  # a failed write is reported, not retried
                print(f"write failed: {exc!r}", file=sys.stderr)
            self.writes += 1
            reset_queries()
            next_at += interval
            self.stop.wait(max(0.0, next_at - time.monotonic()))
        connection.close()
        self.checkers.shutdown(wait=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rates", default="0,1,10", help="writes per second, one run each; 0 = no writes")
    parser.add_argument("--timeout", type=int, default=60)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", default="")
    args = parser.parse_args()
    setup_django()
    rng = random.Random(args.seed)
    paths, numbers = read_urls(rng)
    script = lua_script(paths)
    load_before = os.getloadavg()
    results = []
    with serve(args.workers) as base:
        for path in paths:  # every URL answers before we measure
            with urllib.request.urlopen(base + path, timeout=60) as answer:
                if answer.status != 200:
                    sys.exit(f"{path} answered {answer.status}")
        ceiling = wrk(f"{base}/ping/", duration=min(args.duration, 10), connections=args.connections)
        for rate in [float(r) for r in args.rates.split(",")]:
            writer = Writer(base, rate, numbers, rng)
            writer.start()
            row = wrk(f"{base}/", duration=args.duration, connections=args.connections, timeout=args.timeout,
                      script=script)
            writer.stop.set()
            writer.join(timeout=60)
            row.update(rate=rate, urls=len(paths), writes=writer.writes, edits=writer.edits,
                       admissions=writer.admissions, checks=writer.checks, stale=len(writer.stale),
                       stale_paths=writer.stale[:10])
            results.append(row)
            print(json.dumps(row, ensure_ascii=False), flush=True)
    base_rps = results[0]["rps"] if results and results[0]["rate"] == 0 else None
    print(f"\nmachine load average (1, 5, 15 min): before {load_before}, after {os.getloadavg()}; "
          f"{args.workers} gunicorn workers, wrk -c{args.connections} -d{args.duration}s over {len(paths)} URLs; "
          f"bare view {ceiling['rps']:.0f} req/s")
    print("\n| writes/s | writes done | req/s | p50 ms | p99 ms | share of no-writes | share of bare view "
          "| stale reads after commit | failures |\n|---|---|---|---|---|---|---|---|---|")
    for r in results:
        share = f"{r['rps'] / base_rps:.0%}" if base_rps else "-"
        failures = f"{r['errors']}, {r['timeouts']}, {r['socket_errors']}" if r["failed"] else "0"
        print(f"| {r['rate']:g} | {r['writes']} ({r['edits']} edits, {r['admissions']} admissions) | {r['rps']:.0f} "
              f"| {r.get('p50_ms')} | {r.get('p99_ms')} | {share} | {r['rps'] / ceiling['rps']:.0%} "
              f"| {r['stale']} of {r['checks']} | {failures} |")
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps({"ceiling": ceiling, "runs": results}, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
