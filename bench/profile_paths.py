#!/usr/bin/env python
"""In-process profile of each URL of bench/urls.txt: median time, number of queries and the slowest queries,
with the response cache off (what every first read after a change pays).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/profile_paths.py \
        --staff-header "$COOKIE" [--only staff_queue,home] [--repeat 5]
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
ROOT = Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--urls", default=str(ROOT / "bench" / "urls.txt"))
    parser.add_argument("--only", default="")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--staff-header", default="")
    parser.add_argument("--top", type=int, default=2, help="slowest queries shown per URL")
    args = parser.parse_args()
    os.environ["PUBLIC_RESPONSE_CACHE"] = "0"
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1")
    from load import fill, placeholders

    values = placeholders()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    wanted = set(filter(None, args.only.split(",")))
    cookie = args.staff_header.split(": ", 1)[1] if args.staff_header else ""
    for line in Path(args.urls).read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, path, *flags = line.split()
        if wanted and name not in wanted or ("staff" in flags and not cookie):
            continue
        client = Client(HTTP_COOKIE=cookie) if "staff" in flags else Client()
        url = fill(path, values)
        times, captured = [], None
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
            captured = ctx.captured_queries
        slow = sorted(captured, key=lambda q: -float(q["time"]))[:args.top]
        print(f"{name}: {response.status_code} median {statistics.median(times):.1f} ms, {len(captured)} queries, "
              f"{sum(float(q['time']) for q in captured) * 1000:.1f} ms in SQL")
        for q in slow:
            print(f"    {float(q['time']) * 1000:.1f} ms  {q['sql'][:300]}")


if __name__ == "__main__":
    main()
