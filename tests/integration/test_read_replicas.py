"""Read replicas end to end: a private primary and a hot standby made by pg_basebackup -R, and gunicorn serving the
registry through partners/db_router.py. Both servers log every statement, so a test sees which one answered.

Shown: an anonymous list read is answered by the replica and not by the primary; a write goes to the primary and
its writer reads it back at once although the replica does not have it (read-your-writes); a replica whose replay
is paused falls behind the lag bound and is skipped, then used again once it has caught up; a replica that is
stopped costs no 500: both a connection the server held open and a fresh health check fail over to the primary.

Two servers differ only in settings: "tolerant" trusts a health check for minutes and allows minutes of lag, so
it keeps using the replica (and meets a dead connection mid-request); "strict" checks every 0.2 s and allows
one second.

Needs the PostgreSQL server programs (initdb, pg_ctl, pg_basebackup; $PG_BIN or pg_config) and, as root, the
postgres account; skipped without them, failed under REQUIRE_INTEGRATION=1 (CI).
"""

import os
import time
import uuid

import pytest

from . import replica_env as env

# Serial: the pair is loaded from the test database, which a transactional test elsewhere may have just flushed.
pytestmark = [pytest.mark.integration, pytest.mark.postgres, pytest.mark.serial]

MEMBERS = "/api/v1/members/?q={}"


def _unavailable(reason):
    if os.environ.get("REQUIRE_INTEGRATION") == "1":
        pytest.fail(f"{reason} (REQUIRE_INTEGRATION=1)")
    pytest.skip(reason)


class Site:
    def __init__(self, pair, data, tolerant, strict):
        self.pair, self.data, self.tolerant, self.strict = pair, data, tolerant, strict
        self.primary, self.replica = pair.primary, pair.replica

    def member_names(self, web, probe):
        status, _headers, body = web.get(MEMBERS.format(probe))
        assert status == 200, body
        return [row["name_en"] for row in body["results"]]


@pytest.fixture(scope="module")
def site(django_db_setup, tmp_path_factory):
    from django.db import connection

    missing = [tool for tool in ("initdb", "pg_ctl", "pg_basebackup", "pg_dump", "psql")
               if not (env.pg_bin() / tool).exists()]
    if missing:
        _unavailable(f"the PostgreSQL server programs are not installed ({', '.join(missing)} not in {env.pg_bin()})")
    if os.geteuid() == 0:
        import pwd

        try:
            pwd.getpwnam("postgres")
        except KeyError:
            _unavailable("running as root, and there is no postgres account to run a private server as")
    pair = env.Pair()
    webs = []
    try:
        pair.start_primary()
        plain = env.app_env(pair)
        env.load_schema(pair, connection.settings_dict, plain)
        data = env.run_python(f"from tests.integration.replica_env import populate; populate({uuid.uuid4().hex!r})",
                              plain)
        pair.start_replica()
        replica_url = pair.replica.url(pair.database)
        log_dir = tmp_path_factory.mktemp("replica-web")
        tolerant = env.Web("tolerant", env.app_env(pair, DATABASE_REPLICA_URLS=replica_url,
                                                   REPLICA_MAX_LAG_SECONDS=600, REPLICA_CHECK_SECONDS=600,
                                                   REPLICA_RETRY_SECONDS=600), log_dir)
        webs.append(tolerant)
        strict = env.Web("strict", env.app_env(pair, DATABASE_REPLICA_URLS=replica_url, REPLICA_MAX_LAG_SECONDS=1,
                                               REPLICA_CHECK_SECONDS=0.2, REPLICA_RETRY_SECONDS=0.5,
                                               READ_YOUR_WRITES_SECONDS=3), log_dir)
        webs.append(strict)
        for web in webs:
            web.wait_ready()
        yield Site(pair, data, tolerant, strict)
    finally:
        for web in webs:
            web.stop()
        pair.remove()


def probe() -> str:
    """A word no query has carried yet: the server whose log shows it answered the query."""
    return f"probe{uuid.uuid4().hex[:12]}"


def _logs(site):
    return "\n".join(f"--- {w} ---\n{getattr(site, w).tail()}" for w in ("tolerant", "strict"))


def test_1_an_anonymous_list_read_is_answered_by_the_replica(site):
    word = probe()
    status, _headers, body = site.tolerant.get(MEMBERS.format(word))
    assert status == 200, body
    assert site.replica.logged(word), "the members list was read on the replica"
    assert not site.primary.logged(word), "and not on the primary"
    # The replica holds the data: the member made before the base backup is found there.
    number = site.data["member"]
    status, _headers, body = site.tolerant.get(f"/api/v1/members/{number}/")
    assert status == 200 and body["member_number"] == number, body
    assert site.replica.sql(site.pair.database, "SELECT pg_is_in_recovery()")[0][0] is True


def test_2_a_write_goes_to_the_primary_and_its_writer_reads_it_at_once(site):
    site.replica.sql("postgres", "SELECT pg_wal_replay_pause()")
    try:
        status, headers, body = site.tolerant.request("POST", "/api/v1/applications/", token=site.data["token"],
                                                      body={"organization": site.data["applicant_org"]})
        assert status == 201, (body, _logs(site))
        new_id = body["id"]
        count = "SELECT count(*) FROM partners_application WHERE public_id = %s"
        assert site.primary.sql(site.pair.database, count, (new_id,))[0][0] == 1, "written on the primary"
        assert site.replica.sql(site.pair.database, count, (new_id,))[0][0] == 0, "the paused replica lacks it"
        # The tolerant server still counts the paused replica fit (its bound is minutes), yet the writer's read
        # comes from the primary: it finds the row the replica lacks.
        status, _headers, body = site.tolerant.get(f"/api/v1/applications/{new_id}/", token=site.data["token"])
        assert status == 200 and body["id"] == new_id, body
        assert "registry_primary_until" in headers.get("Set-Cookie", ""), "the browser is pinned too"
        # Meanwhile an anonymous reader is still served by the replica.
        word = probe()
        site.tolerant.get(MEMBERS.format(word))
        assert site.replica.logged(word) and not site.primary.logged(word)
    finally:
        site.replica.sql("postgres", "SELECT pg_wal_replay_resume()")
        site.pair.wait_caught_up()


def test_3_a_replica_behind_the_bound_is_skipped_until_it_catches_up(site):
    org, word = site.data["org"], probe()
    site.replica.sql("postgres", "SELECT pg_wal_replay_pause()")
    try:
        site.primary.sql(site.pair.database, "UPDATE partners_organization SET name_en = name_en || ' ' || %s "
                                             "WHERE id = %s", (word, org))
        time.sleep(1.6)  # the replica is now more than the strict server's one second behind
        assert site.member_names(site.strict, word), "the strict server skips the lagging replica: it finds the edit"
        assert site.member_names(site.tolerant, word) == [], "the tolerant one reads the replica, which lacks it"
    finally:
        site.replica.sql("postgres", "SELECT pg_wal_replay_resume()")
    site.pair.wait_caught_up()
    assert site.member_names(site.tolerant, word), "the replica has the edit now"
    # A fresh commit, replayed: should the primary write WAL between a check's two questions, the age of the last
    # replayed commit is then a fraction of a second, not the seconds since the edit.
    site.primary.sql(site.pair.database, "UPDATE partners_organization SET name_en = name_en WHERE id = %s", (org,))
    site.pair.wait_caught_up()
    time.sleep(0.3)  # one check interval of the strict server
    again = probe()
    site.member_names(site.strict, again)
    assert site.replica.logged(again), "caught up, the replica serves the strict server again"


def test_4_a_stopped_replica_fails_over_to_the_primary_without_a_500(site):
    number = site.data["member"]
    # Both servers hold an open connection to the replica from the tests before.
    site.replica.stop("fast")
    for web in (site.tolerant, site.strict):
        for _ in range(3):
            status, _headers, body = web.get(f"/api/v1/members/{number}/")
            assert status == 200 and body["member_number"] == number, (body, _logs(site))
        word = probe()
        status, _headers, body = web.get(MEMBERS.format(word))
        assert status == 200, body
        assert site.primary.logged(word), "answered by the primary"
        status, _headers, body = web.request("GET", "/", cookies=None)
        assert status == 200
