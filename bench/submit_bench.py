#!/usr/bin/env python
"""Benchmark of application submission through the API: concurrent POSTs of the `submit` action, each on a
fresh complete draft, against gunicorn (the docker-compose configuration) on 127.0.0.1.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/perf_bench .venv/bin/python bench/submit_bench.py \
        --drafts 3000 --threads 16 --duration 10

wrk replays one request, and a submission can only happen once per draft, so this is a small Python client
instead: it prepares --drafts complete drafts (organisation, contact, partner type with its profile,
channel, declaration, business licence) in bulk, owned by one applicant with an API key, then --threads
threads each take the next draft and POST /api/v1/applications/{id}/actions/submit/ until --duration
seconds pass or the drafts run out. Each submission is the real one: completeness check, state change,
revision snapshot, audit event and notifications, in one transaction. The bare `/ping/` view is measured
with wrk in the same run for the ratio.
"""

import argparse
import json
import os
import queue
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

TINY_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def prepare(n):
    """n complete drafts of n new organisations owned by one applicant; returns (token, [application ids])."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "registry.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.db import transaction
    from django.utils import timezone

    from partners.enums import ApplicationState, Channel, OrgRole, OrgVerification, PartnerType
    from partners.models import (
        Application,
        Attachment,
        DataProfile,
        District,
        Organization,
        OrganizationMember,
        RequestedType,
        User,
    )
    from partners.models.api import ApiScope
    from partners.services.api_keys import create_key
    from partners.validators import build_credit_code

    owner, _ = User.objects.get_or_create(email="bench-submitter@bench.example",
                                          defaults={"display_name": "bench submitter"})
    _key, token = create_key(owner, owner=owner, name=f"submit bench {time.time():.0f}",
                             scopes=[ApiScope.APPLICATIONS_READ, ApiScope.APPLICATIONS_WRITE])
    licence = default_storage.save("bench/licence.pdf", ContentFile(TINY_PDF))
    district = District.objects.get(code="110108")
    start = 90_000_000 + (Organization.objects.order_by("-id").values_list("id", flat=True).first() or 0)
    with transaction.atomic():
        orgs = Organization.objects.bulk_create([
            Organization(name=f"北京提交测试科技有限公司{start + i}", name_en=f"Submit Bench {start + i}",
                         credit_code=build_credit_code("9", "1", "110108", f"{(start + i) % 10**8:08d}"),
                         district=district, legal_representative="张三", registered_address="北京市海淀区",
                         # Only a verified organisation submits (services/verification.py: submission_blocker).
                         verification=OrgVerification.VERIFIED, verified_at=timezone.now())
            for i in range(n)], batch_size=2000)
        OrganizationMember.objects.bulk_create(
            [OrganizationMember(organization=o, user=owner, role=OrgRole.OWNER) for o in orgs], batch_size=2000)
        apps = Application.objects.bulk_create([
            Application(organization=o, created_by=owner, state=ApplicationState.DRAFT,
                        channel=Channel.SELF_RECOMMENDATION, declaration_accepted=True, contact_name="王芳",
                        contact_phone="13912345678", contact_email="contact@bench.example") for o in orgs],
            batch_size=2000)
        RequestedType.objects.bulk_create([
            RequestedType(application=a, organization=a.organization, partner_type=PartnerType.DATA)
            for a in apps], batch_size=2000)
        DataProfile.objects.bulk_create([DataProfile(application=a, summary="提供高质量中文语料与标注服务。")
                                         for a in apps], batch_size=2000)
        Attachment.objects.bulk_create([
            Attachment(application=a, kind=Attachment.Kind.BUSINESS_LICENCE, file=licence,
                       original_name="营业执照.pdf", content_type="application/pdf", size=len(TINY_PDF),
                       sha256="0" * 64, uploaded_by=owner) for a in apps], batch_size=2000)
    return token, [str(a.public_id) for a in apps]  # the API addresses applications by their public id


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--drafts", type=int, default=3000)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", default="")
    args = parser.parse_args()

    token, ids = prepare(args.drafts)
    print(f"prepared {len(ids)} drafts", flush=True)
    from load import serve, wrk

    todo = queue.Queue()
    for pk in ids:
        todo.put(pk)
    latencies, failures, lock = [], [], threading.Lock()

    with serve(args.workers) as base:
        ceiling = wrk(f"{base}/ping/", duration=args.duration)
        deadline = time.monotonic() + args.duration

        def worker():
            while time.monotonic() < deadline:
                try:
                    pk = todo.get_nowait()
                except queue.Empty:
                    return
                request = urllib.request.Request(
                    f"{base}/api/v1/applications/{pk}/actions/submit/", data=b"{}", method="POST",
                    headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
                started = time.perf_counter()
                try:
                    with urllib.request.urlopen(request, timeout=60) as answer:
                        answer.read()
                        status = answer.status
                except urllib.error.HTTPError as exc:
                    status = exc.code
                    detail = exc.read()[:300]
                elapsed = time.perf_counter() - started
                with lock:
                    if status == 200:
                        latencies.append(elapsed)
                    else:
                        failures.append((pk, status, detail))

        began = time.monotonic()
        threads = [threading.Thread(target=worker) for _ in range(args.threads)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        took = time.monotonic() - began

    row = {"name": "api_submit", "submitted": len(latencies), "failed": len(failures),
           "rps": round(len(latencies) / took, 1),
           "p50_ms": round(percentile(latencies, 50) * 1000, 1) if latencies else None,
           "p99_ms": round(percentile(latencies, 99) * 1000, 1) if latencies else None,
           "ceiling_rps": ceiling["rps"], "load": os.getloadavg()}
    print(json.dumps(row), flush=True)
    for failure in failures[:5]:
        print("failed:", failure, file=sys.stderr)
    print(f"\n| endpoint | req/s | p50 ms | p99 ms | share of bare view ({ceiling['rps']:.0f} req/s) |\n|---|---|---|---|---|")
    print(f"| POST /api/v1/applications/{{id}}/actions/submit/ | {row['rps']} | {row['p50_ms']} | {row['p99_ms']} | "
          f"{row['rps'] / ceiling['rps']:.1%} |")
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(row, indent=2))


if __name__ == "__main__":
    main()
