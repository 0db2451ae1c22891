#!/usr/bin/env python
"""Benchmark of the plan's dashboard: the office's dashboard, its CSV export and the public summary, rendered
in-process with the response cache off, each --repeat times; then each figure's provider on its own. Prints the
median and p99 time, the number of queries (the same for every run, and flat in the data size) and the
slowest queries. With --wrk, the same URLs are then served by gunicorn and measured with wrk (bench/load.py).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/perf_bench .venv/bin/python bench/dashboard_bench.py \
        [--fill 100000] [--repeat 20] [--top 3] [--only plan_summary,plan_dashboard] [--wrk --duration 10]

bench/generate makes members and applications but no catalogue entries or cases: --fill N first writes N of
each (data sets, demands, introductions, published cases on the generated members) so that those figures are
measured with rows behind them.

The URLs are in bench/dashboard_urls.txt (`name path [staff]`, as bench/urls.txt); the staff ones are read
with a reviewer's session (made as bench/staff_session.py makes it, or given with --staff-header).
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
ROOT = Path(__file__).resolve().parent.parent
URLS = ROOT / "bench" / "dashboard_urls.txt"


def percentile(values, pct):
    """The pct-th percentile (nearest rank): with 20 runs the p99 is the slowest one, as it should be."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[min(len(ordered), int(rank)) - 1]


def measure(run, repeat):
    """Time `run` `repeat` times, capturing its queries; returns (ms per run, queries per run, the slowest
    queries by their median time over the runs)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, counts, runs = [], [], []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            result = run()
            times.append((time.perf_counter() - started) * 1000)
        counts.append(len(ctx.captured_queries))
        runs.append(ctx.captured_queries)
        status = getattr(result, "status_code", 200)
        if status != 200:
            return times, counts, [], status
    if len(set(counts)) == 1:
        # The same queries in the same order every run: rank them by their median time.
        per_query = [(statistics.median(float(r[i]["time"]) for r in runs) * 1000, runs[-1][i]["sql"])
                     for i in range(counts[0])]
    else:
        per_query = [(float(q["time"]) * 1000, q["sql"]) for q in runs[-1]]
    return times, counts, sorted(per_query, key=lambda q: -q[0]), 200


def report(name, times, counts, slow, status, top):
    queries = f"{counts[0]} queries" if len(set(counts)) == 1 else f"{min(counts)}-{max(counts)} queries (varies!)"
    if status != 200:
        print(f"{name}: **FAILED** answered {status}")
        return
    print(f"{name}: median {statistics.median(times):.1f} ms, p99 {percentile(times, 99):.1f} ms, {queries}, "
          f"{sum(ms for ms, _sql in slow):.1f} ms in SQL (median per query)")
    for ms, sql in slow[:top]:
        print(f"    {ms:.1f} ms  {' '.join(sql.split())[:300]}")


BATCH = 5000


def fill(n):
    """Top the catalogue and the showcase up to n public data sets and demands, n introductions (half accepted)
    and n published cases (a third designated toward their year), on members of bench/generate, which makes
    none of these. Rows are written in batches, straight to the tables, as bench/generate writes its own."""
    import random

    from django.db import transaction
    from django.utils import timezone

    from partners.enums import CaseKind, CaseState, DataModality, IntroductionState, Moderation, TrainingStage
    from partners.models import Case, DataDemand, DataSet, Introduction, Membership

    members = list(Membership.objects.order_by("pk").values_list("organization_id", flat=True)[:20_000])
    if len(members) < 2:
        sys.exit("no members in this database: run bench/generate first")
    rng = random.Random(7)
    now = timezone.now()
    modalities = list(DataModality.values)
    industries = ["health", "finance", "manufacturing", "transport", "education", None]
    from partners.models import Industry

    industries = [code for code in industries if code is None or Industry.objects.filter(code=code).exists()]
    for model, make in (
        (DataSet, lambda i: DataSet(organization_id=members[i % len(members)], name=f"基准数据集{i}",
                                    modality=rng.choice(modalities), industry_id=rng.choice(industries),
                                    size_value=rng.randint(1, 10**9), languages=["zh"],
                                    moderation=Moderation.PUBLISHED, published_at=now)),
        (DataDemand, lambda i: DataDemand(organization_id=members[(i + 1) % len(members)], title=f"基准数据需求{i}",
                                          modality=rng.choice(modalities), industry_id=rng.choice(industries),
                                          stage=TrainingStage.FINETUNING, moderation=Moderation.PUBLISHED,
                                          published_at=now)),
        (Case, lambda i: Case(organization_id=members[i % len(members)], kind=rng.choice(CaseKind.values),
                              title=f"基准案例{i}", scenario="基准场景", results="基准成效",
                              industry_id=rng.choice(industries), year=2024 + i % 4, state=CaseState.PUBLISHED,
                              published_at=now, state_changed_at=now, counts_toward_target=i % 3 == 0)),
    ):
        have = model.objects.count()
        while have < n:
            size = min(BATCH, n - have)
            with transaction.atomic():
                model.objects.bulk_create([make(have + i) for i in range(size)])
            have += size
    have = Introduction.objects.count()
    if have < n:
        datasets = list(DataSet.objects.order_by("pk").values_list("pk", flat=True)[:n])
        demands = list(DataDemand.objects.order_by("pk").values_list("pk", flat=True)[:n])
        rows = [Introduction(dataset_id=datasets[i % len(datasets)], demand_id=demands[i % len(demands)],
                             requested_by_side="demand", state=IntroductionState.ACCEPTED if i % 2 else
                             IntroductionState.DECLINED, answered_at=now) for i in range(have, n)]
        for start in range(0, len(rows), BATCH):
            with transaction.atomic():
                Introduction.objects.bulk_create(rows[start:start + BATCH], ignore_conflicts=True)


def url_lines(path, wanted):
    for line in Path(path).read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, url, *flags = line.split()
        if not wanted or name in wanted:
            yield name, url, "staff" in flags


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--top", type=int, default=3, help="slowest queries shown per page or provider")
    parser.add_argument("--only", default="", help="comma-separated names of bench/dashboard_urls.txt")
    parser.add_argument("--no-providers", action="store_true", help="skip the figures' providers one by one")
    parser.add_argument("--staff-header", default="", help="`Cookie: …` of a staff session (made when absent)")
    parser.add_argument("--fill", type=int, default=0, metavar="N",
                        help="first top the database up to N data sets, demands, introductions and cases")
    parser.add_argument("--wrk", action="store_true", help="then serve the URLs with gunicorn and measure with wrk")
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per URL (with --wrk)")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    os.environ["PUBLIC_RESPONSE_CACHE"] = "0"
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    os.environ.setdefault("SECRET_KEY", "bench-only-key")  # the server of --wrk must read the same sessions
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "registry.settings")
    os.environ.setdefault("DEBUG", "1")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.test import Client

    from partners.models import Case, DataSet, Membership
    from partners.services import dashboard

    if args.fill:
        started = time.perf_counter()
        fill(args.fill)
        print(f"filled up to {args.fill} catalogue entries and cases in {time.perf_counter() - started:.0f} s")

    print(f"database: {Membership.objects.count()} members, {Case.objects.count()} cases, "
          f"{DataSet.objects.count()} data sets; {args.repeat} runs each, response cache off\n")
    cookie = args.staff_header.split(": ", 1)[1] if args.staff_header else ""
    wanted = set(filter(None, args.only.split(",")))
    lines = list(url_lines(URLS, wanted))
    if not cookie and any(staff for _name, _url, staff in lines):
        from staff_session import staff_cookie

        cookie = staff_cookie()
    for name, url, staff in lines:
        client = Client(HTTP_COOKIE=cookie) if staff else Client()
        client.get(url)  # the first request loads templates and translations: not what is measured
        report(name, *measure(lambda c=client, u=url: c.get(u), args.repeat), args.top)

    if not args.no_providers and not wanted:
        print("\nthe figures one by one (partners/services/dashboard.py):")
        report("sections (office)", *measure(dashboard.sections, args.repeat), args.top)
        report("sections (public)", *measure(lambda: dashboard.sections(public=True), args.repeat), args.top)
        for code, (provider, _public) in dashboard.PROVIDERS.items():
            report(f"  {code}", *measure(provider, args.repeat), args.top)

    if args.wrk:
        print("\nunder load (gunicorn + wrk, bench/load.py):", flush=True)
        command = [sys.executable, str(ROOT / "bench" / "load.py"), "--urls", str(URLS),
                   "--duration", str(args.duration)]
        if cookie:
            command += ["--staff-header", f"Cookie: {cookie}"]
        if wanted:
            command += ["--only", ",".join(sorted(wanted))]
        sys.exit(subprocess.run(command, cwd=ROOT, check=False).returncode)


if __name__ == "__main__":
    main()
