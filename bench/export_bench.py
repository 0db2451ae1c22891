"""Benchmark of the staff queue's Excel export: 100,000 applications, time and peak memory.

    .venv/bin/python bench/export_bench.py --rows 100000

It uses its own PostgreSQL database (BENCH_DATABASE_URL, default `export_bench` on 127.0.0.1, created and
migrated when missing), fills it with bulk_create in batches up to --rows applications (with their
organisations and requested partner types), then runs the export in a fresh child process per mode so
that each peak RSS belongs to that export alone:

- `streamed`: what the staff screen does (partners/views/review_queue.export): the view streams the
  workbook while `services.export.stream_xlsx` writes it, reading the queryset in chunks;
- `write_only`: openpyxl's write-only mode (`services.export.write_xlsx`) into a temporary file;
- `dataset`: the plain approach for comparison: every row into one tablib Dataset (what
  django-import-export's `Resource.export()` builds), then `Dataset.export("xlsx")`.
"""

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import ensure_database  # noqa: E402

DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/export_bench")
BATCH = 5000


def setup_django():
    os.environ.update({"DJANGO_SETTINGS_MODULE": "registry.settings", "SECRET_KEY": "bench-only", "DEBUG": "0",
                       "DATABASE_URL": DB_URL, "AXES_ENABLED": "0", "LOG_LEVEL": "WARNING"})
    import django

    django.setup()


def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def generate(rows):
    """Top the database up to `rows` submitted-or-later applications, in batches."""
    from django.db import transaction
    from django.utils import timezone

    from partners.enums import ApplicationState, Channel, PartnerType
    from partners.models import Application, District, Organization, RequestedType, User
    from partners.validators import USCC_CHARSET, build_credit_code

    have = Application.objects.count()
    if have >= rows:
        return have, 0.0
    started = time.perf_counter()
    rng = random.Random(42)
    user, _ = User.objects.get_or_create(email="bench-owner@example.com", defaults={"display_name": "bench"})
    districts = list(District.objects.exclude(code="outside").values_list("code", flat=True))
    states = [s for s in ApplicationState if s != ApplicationState.DRAFT]
    types = list(PartnerType.values)
    channels = list(Channel.values)
    now = timezone.now()
    digits = [c for c in USCC_CHARSET if c.isdigit() or c.isupper()]
    n = Organization.objects.count()
    while have < rows:
        size = min(BATCH, rows - have)
        with transaction.atomic():
            orgs = []
            for i in range(n, n + size):
                body, x = "", i + 10_000_000
                for _ in range(8):
                    x, r = divmod(x, len(digits))
                    body = digits[r] + body
                orgs.append(Organization(
                    name=f"北京{rng.choice(['智算', '数智', '星河', '云启', '深度', '灵犀'])}科技有限公司{i}",
                    credit_code=build_credit_code("9", "1", "110108", body),
                    district_id=rng.choice(districts), legal_representative="李明",
                    registered_address="北京市海淀区中关村大街1号"))
            Organization.objects.bulk_create(orgs, batch_size=BATCH)
            apps = []
            for org in orgs:
                submitted = now - timezone.timedelta(days=rng.randint(0, 400))
                apps.append(Application(
                    organization=org, created_by=user, state=rng.choice(states), channel=rng.choice(channels),
                    submitted_at=submitted, state_changed_at=submitted, contact_name="王芳",
                    contact_phone="13912345678", contact_email="contact@example.com"))
            Application.objects.bulk_create(apps, batch_size=BATCH)
            requested = []
            for app in apps:
                for t in rng.sample(types, rng.choice([1, 1, 2])):
                    requested.append(RequestedType(application=app, organization_id=app.organization_id,
                                                   partner_type=t, is_open=False))
            RequestedType.objects.bulk_create(requested, batch_size=BATCH)
        have += size
        n += size
    return have, time.perf_counter() - started


def export_once(mode):
    """Run one export in this process and print its figures as JSON (called in a child process)."""
    setup_django()
    from django.contrib.auth.models import Group
    from django.test import RequestFactory

    from partners.models import Application, User
    from partners.services import export as export_services
    from partners.views import review_queue

    user, _ = User.objects.get_or_create(email="bench-reviewer@example.com")
    user.groups.add(Group.objects.get(name="reviewer"))
    before = rss_mb()
    started = time.perf_counter()
    size = 0
    if mode == "streamed":
        request = RequestFactory().get("/staff/queue/export.xlsx")
        request.user = user
        response = review_queue.export(request)
        first_byte = None
        for chunk in response.streaming_content:
            if first_byte is None and chunk:
                first_byte = time.perf_counter() - started
            size += len(chunk)
        count = Application.objects.exclude(state="draft").count()
    elif mode == "write_only":
        import tempfile

        with tempfile.TemporaryFile() as handle:
            count = export_services.write_xlsx(Application.objects.exclude(state="draft"), handle)
            size = handle.tell()
    else:
        import tablib

        resource_ = export_services.ApplicationExportResource()
        dataset = tablib.Dataset(headers=resource_.get_export_headers())
        for record in export_services.rows(Application.objects.exclude(state="draft")):
            dataset.append(resource_.export_row(record))
        count = len(dataset)
        size = len(dataset.export("xlsx"))
    elapsed = time.perf_counter() - started
    extra = {"first_byte_s": round(first_byte, 2)} if mode == "streamed" else {}
    print(json.dumps({"mode": mode, "rows": count, "seconds": round(elapsed, 1), "bytes": size, **extra,
                      "rss_before_mb": round(before), "peak_rss_mb": round(rss_mb())}))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--modes", default="streamed,write_only,dataset")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        export_once(args.child)
        return
    ensure_database(DB_URL)
    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    total, seconds = generate(args.rows)
    print(f"database: {total} applications (generated in {seconds:.1f} s)")
    for mode in args.modes.split(","):
        out = subprocess.run([sys.executable, __file__, "--child", mode], capture_output=True, text=True,
                             check=True, env=os.environ.copy())
        print(out.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
