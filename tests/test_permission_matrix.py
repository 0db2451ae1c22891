"""The permission matrix: every URL pattern × every identity × GET/POST answers the status the table expects.

Routes come from the URL configuration, so a new route without a row in tests/permission_matrix_table.py
fails here by name. Set PERMISSION_MATRIX_DUMP=<file> to write the observed rows there (to review, then paste).
"""

import os

import pytest

from tests.permission_matrix import IDENTITIES, World, discover_routes, request, url_for
from tests.permission_matrix_table import DRAFT_TABLE, NOT_ACCEPTED, PREFIX_RULES, TABLE, matches, parse_row


def entry_for(route):
    if route.key in TABLE:
        return TABLE[route.key]
    for prefix, entry in PREFIX_RULES:
        if route.key.startswith(prefix):
            return entry
    return None


@pytest.mark.django_db
def test_every_route_answers_every_identity_as_the_table_says(settings):
    settings.AXES_ENABLED = False
    world = World()
    clients = {identity: world.client(identity) for identity in IDENTITIES}
    dump = os.environ.get("PERMISSION_MATRIX_DUMP")
    failures, observed_rows, covered = [], [], []
    for route in discover_routes():
        entry = entry_for(route)
        if entry is None and not dump:
            failures.append(f"{route.key} ({route.route}): no row in tests/permission_matrix_table.py")
            continue
        try:
            url = url_for(route, world, entry or {})
        except Exception as exc:  # noqa: BLE001 - reported with the route's name
            failures.append(f"{route.key}: cannot build its URL: {exc}")
            continue
        covered.append(route.key)
        observed = {}
        for method in ("GET", "POST"):
            statuses = [request(clients[identity], method, url)[0] for identity in IDENTITIES]
            observed[method] = statuses
            expected = (entry or {}).get(method.lower())
            if expected is None:
                if method == "POST":
                    wrong = [f"{i}={s}" for i, s in zip(IDENTITIES, statuses, strict=True) if s not in NOT_ACCEPTED]
                    if wrong:
                        failures.append(f"{route.key} POST {url}: accepted ({', '.join(wrong)}) but the table "
                                        f"has no POST row")
                elif not dump:
                    failures.append(f"{route.key}: the table has no GET row")
                continue
            for identity, status, want in zip(IDENTITIES, statuses, parse_row(expected), strict=True):
                if not matches(status, want):
                    failures.append(f"{route.key} {method} {url} as {identity}: got {status}, expected {want}")
        observed_rows.append((route.key, url, observed))
    if dump:
        with open(dump, "w", encoding="utf-8") as out:
            for key, url, observed in observed_rows:
                out.write(f'    "{key}": {{  # {url}\n')
                for method, statuses in observed.items():
                    out.write(f'        "{method.lower()}": "{" ".join(str(s) for s in statuses)}",\n')
                out.write("    },\n")
    assert covered, "no routes discovered"
    assert not failures, "\n".join(["Permission matrix mismatches:", *failures])


def test_the_table_names_only_routes_that_exist():
    keys = {route.key for route in discover_routes()}
    stale = sorted(set(TABLE) - keys)
    assert not stale, f"rows for routes that no longer exist (remove or rename them): {stale}"


# Routes whose URL carries an object of organisation A: applicant B, of another organisation, must get 404
# (never 403, which would confirm that the id exists).
OTHER_ORGANISATION_404 = [
    "portal:organization", "portal:organization_edit", "portal:colleague_add", "portal:colleague_remove",
    "portal:hand_over", "portal:invitation_revoke", "portal:invitation_answer", "portal:join_request_decide", "portal:application", "portal:application_action",
    "portal:step", "portal:attachment_delete", "portal:attachment_download", "organization-detail",
    "application-detail", "application-attachments", "application-fire-action", "inbox:open", "keys:revoke",
]


@pytest.mark.parametrize("key", OTHER_ORGANISATION_404)
def test_other_organisations_objects_answer_404_in_the_table(key):
    from tests.permission_matrix_table import TABLE

    if key not in TABLE:
        pytest.skip(f"{key} is not a route any more")
    row = TABLE[key]
    cells = [parse_row(row[m])[IDENTITIES.index("applicant_b")] for m in ("get", "post") if row.get(m)]
    answered = [c for c in cells if c != "405"]
    assert answered and all(c == "404" for c in answered), f"{key}: applicant B gets {cells}"


@pytest.mark.django_db
def test_a_draft_answers_only_its_applicants_on_the_web_and_in_the_api(settings):
    from django.urls import reverse

    settings.AXES_ENABLED = False
    world = World()
    clients = {identity: world.client(identity) for identity in IDENTITIES}
    failures = []
    for name, (kwargs, expected) in DRAFT_TABLE.items():
        # The API addresses rows by their public id (`id`), the web by their integer key (`pk`).
        url = reverse(name, kwargs={k: getattr(world, v).public_id if k == "id" else getattr(world, v).pk
                                    for k, v in kwargs.items()})
        for identity, want in zip(IDENTITIES, parse_row(expected), strict=True):
            status = request(clients[identity], "GET", url)[0]
            if not matches(status, want):
                failures.append(f"{name} GET {url} as {identity}: got {status}, expected {want}")
    assert not failures, "\n".join(["Draft matrix mismatches:", *failures])
