#!/usr/bin/env python
"""In-process cost of the registry's writes: CPU time, wall time and queries per write, median of --repeat.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench REDIS_URL=redis://127.0.0.1:6379/9 \
        .venv/bin/python bench/write_profile.py --repeat 25 [--only edit,admit,submit] [--profile admit]

The writes are those of mixed.py (an organisation's description through a locked save, the admission of an
application in public notice through the workflow engine) and of submit_bench.py (the API submission of a
complete draft, through the test client: the whole request, authentication and answer included). The response
cache is on, as in the served registry, so the writes pay for working out and publishing their cache scopes.
The admissions are completed first (complete_for_admission: granted types, the approval, a person to tell);
"admit_bare" admits them as `generate` leaves them, as mixed.py does. `--profile KIND` prints the cProfile of that kind's writes (cumulative time, the first --top rows); `--sql`
prints the queries of the last write of each kind.
"""

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))


def setup():
    os.environ.setdefault("PUBLIC_RESPONSE_CACHE", "1")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1")
    from mixed import setup_django

    setup_django()


def edit_writes(repeat):
    """mixed.py's edit: one member's organisation description, locked and saved in a transaction."""
    import itertools

    from django.db import transaction

    from partners.models import Membership, Organization

    numbers = list(Membership.objects.filter(state="active").order_by("-admitted_at", "-id")
                   .values_list("number", flat=True)[:repeat])
    sequence = itertools.count(int(time.time()) * 100)

    def write(number):
        with transaction.atomic():
            org_id = Membership.objects.filter(number=number).values_list("organization_id", flat=True).get()
            org = Organization.objects.select_for_update().get(pk=org_id)
            org.description = f"bench-edit-{next(sequence):012d}"
            org.save(update_fields=["description", "updated_at"])

    return [lambda n=n: write(n) for n in itertools.islice(itertools.cycle(numbers), repeat)]


def complete_for_admission(ids):
    """What an application in public notice has when it got there through review, which `generate` leaves out:
    its requested types granted, the approval decision, a person acting for the organisation (who hears of the
    admission) and, for a model partner, the industries it serves (the scopes of its lists)."""
    from django.db import transaction
    from django.utils import timezone

    from partners.enums import OrgRole
    from partners.models import (
        Application,
        Decision,
        Industry,
        ModelProfile,
        OrganizationMember,
        RequestedType,
        User,
    )

    industries = list(Industry.objects.filter(active=True).values_list("pk", flat=True)[:2])
    apps = list(Application.objects.filter(pk__in=ids).select_related("organization"))
    stamp = time.time_ns()
    with transaction.atomic():
        RequestedType.objects.filter(application_id__in=ids).update(granted=True)
        Decision.objects.bulk_create([
            Decision(application=a, level=Decision.Level.FINAL, action="approve", per_type={},
                     letter_subject="-", letter_body="-") for a in apps])
        users = User.objects.bulk_create([User(email=f"bench-admit-{stamp}-{a.pk}@bench.example",
                                               display_name="bench", language="zh-hans") for a in apps])
        OrganizationMember.objects.bulk_create([
            OrganizationMember(organization=a.organization, user=u, role=OrgRole.OWNER)
            for a, u in zip(apps, users, strict=True)], ignore_conflicts=True)
        model_apps = list(RequestedType.objects.filter(application_id__in=ids, partner_type="model")
                          .values_list("application_id", flat=True))
        profiles = ModelProfile.objects.bulk_create([
            ModelProfile(application_id=pk, summary="行业大模型") for pk in model_apps
            if not ModelProfile.objects.filter(application_id=pk).exists()])
        for profile in profiles:
            profile.industries.set(industries)
    Application.objects.filter(pk__in=ids).update(publicity_ends_at=timezone.now())


def admit_writes(repeat, bare=False):
    """mixed.py's admission: an application in public notice admitted by the system through the engine."""
    from partners import workflow
    from partners.enums import ApplicationState
    from partners.models import Application

    ids = list(Application.objects.filter(state=ApplicationState.PUBLICITY).order_by("?")
               .values_list("pk", flat=True)[:repeat])
    if len(ids) < repeat:
        sys.exit(f"only {len(ids)} applications in public notice")
    if not bare:
        complete_for_admission(ids)

    def write(pk):
        workflow.fire(pk, "admit", workflow.Actor(system=True), expected_state=ApplicationState.PUBLICITY)

    return [lambda pk=pk: write(pk) for pk in ids]


def submit_writes(repeat):
    """submit_bench.py's request: POST …/actions/submit/ on a fresh complete draft, with an API key."""
    from django.test import Client
    from submit_bench import prepare

    token, ids = prepare(repeat)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    def write(pk):
        response = client.post(f"/api/v1/applications/{pk}/actions/submit/", data=b"{}",
                               content_type="application/json")
        if response.status_code != 200:
            sys.exit(f"submission answered {response.status_code}: {response.content[:300]!r}")

    return [lambda pk=pk: write(pk) for pk in ids]


KINDS = {"edit": edit_writes, "admit": admit_writes, "admit_bare": lambda n: admit_writes(n, bare=True),
         "submit": submit_writes}


def measure(kind, writes, profile, top, show_sql):
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    cpu, wall, counts, captured = [], [], [], None
    # CPU time, not wall time: the waits for PostgreSQL and Redis cost the writer nothing but latency.
    profiler = cProfile.Profile(time.process_time) if profile else None
    writes[0]()  # the first write warms imports and per-process caches; it is not counted
    for write in writes[1:]:
        with CaptureQueriesContext(connection) as ctx:
            started, started_cpu = time.perf_counter(), time.process_time()
            if profiler:
                profiler.enable()
            write()
            if profiler:
                profiler.disable()
            cpu.append((time.process_time() - started_cpu) * 1000)
            wall.append((time.perf_counter() - started) * 1000)
        counts.append(len(ctx.captured_queries))
        captured = ctx.captured_queries
        reset_queries()
    sql_ms = sum(float(q["time"]) for q in captured) * 1000
    print(f"{kind}: {len(cpu)} writes, CPU median {statistics.median(cpu):.1f} ms (p90 "
          f"{sorted(cpu)[int(len(cpu) * 0.9)]:.1f}), wall median {statistics.median(wall):.1f} ms, queries "
          f"{statistics.median(counts):g} (min {min(counts)}, max {max(counts)}), last write {sql_ms:.1f} ms in SQL",
          flush=True)
    if show_sql:
        for q in captured:
            print(f"    {float(q['time']) * 1000:6.1f} ms  {q['sql'][:240]}")
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
        if os.environ.get("WRITE_PROFILE_DUMP"):
            profiler.dump_stats(os.environ["WRITE_PROFILE_DUMP"])
        print(out.getvalue())


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=25)
    parser.add_argument("--only", default="edit,admit,submit")
    parser.add_argument("--profile", default="", help="a kind to profile with cProfile")
    parser.add_argument("--top", type=int, default=60)
    parser.add_argument("--sql", action="store_true")
    args = parser.parse_args()
    setup()
    for kind in args.only.split(","):
        writes = KINDS[kind](args.repeat + 1)
        measure(kind, writes, args.profile == kind, args.top, args.sql)


if __name__ == "__main__":
    main()
