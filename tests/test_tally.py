"""Counts kept by the database (partners_tally) equal the rows they count after every kind of change, and the
home page, statistics and staff queue read them instead of counting the tables."""

from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from partners.enums import ApplicationState, MembershipState, PartnerType
from partners.forms.review import QUEUE_STATES, QueueFilterForm
from partners.models import Application, District, Membership, MembershipGrant, RequestedType
from partners.services import membership as membership_services
from partners.services import statistics, tally
from partners.tally_sql import install_sql
from tests.factories import advance, submitted_application
from tests.public_fixtures import make_member

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the counts are kept by PostgreSQL triggers"),
]


def local_month(when):
    return f"{timezone.localtime(when):%Y-%m}"


def from_rows():
    """Every kind of count, from the rows themselves."""
    out = {"app": Counter(), "apptype": Counter(), "member": Counter(), "grant": Counter(), "month": Counter()}
    for state, district in Application.objects.values_list("state", "organization__district"):
        out["app"][(state, district or "")] += 1
    for state, ptype, district in RequestedType.objects.values_list(
            "application__state", "partner_type", "application__organization__district"):
        out["apptype"][(state, ptype, district or "")] += 1
    for state, district, admitted in Membership.objects.values_list("state", "organization__district",
                                                                    "admitted_at"):
        out["member"][(state, district or "")] += 1
        if state != MembershipState.REVOKED:
            out["month"][(local_month(admitted),)] += 1
    for ptype in MembershipGrant.objects.filter(membership__state=MembershipState.ACTIVE,
                                                ends_on__isnull=True).values_list("partner_type", flat=True):
        out["grant"][(ptype,)] += 1
    return {kind: {k: n for k, n in counts.items() if n} for kind, counts in out.items()}


def assert_kept():
    assert tally.read("app", "apptype", "member", "grant", "month") == from_rows()


def test_counts_follow_the_workflow_and_every_edit(applicant, reviewer, approver, administrator):
    other = make_member("北京九章科技有限公司", types=("compute", "data"), district="110105",
                        admitted_at=timezone.now() - timedelta(days=40))
    Membership.objects.filter(pk=other.pk).update(number="TALLY-1")  # clear of the numbers admission allocates
    assert_kept()
    app = submitted_application(applicant, types=(PartnerType.DATA, PartnerType.MODEL))
    assert_kept()
    advance(app, ApplicationState.PUBLICITY, reviewer=reviewer, approver=approver)
    assert_kept()
    membership_services.admit_due_applications(now=timezone.now() + timedelta(days=8))
    assert_kept()
    org = app.organization
    org.district = District.objects.exclude(pk=org.district_id).first()
    org.save()
    assert_kept()
    member = Membership.objects.get(organization=org)
    MembershipGrant.objects.filter(membership=member, partner_type=PartnerType.DATA).update(
        ends_on=timezone.localdate())
    assert_kept()
    membership_services.suspend(administrator, member, "checking")
    assert_kept()
    membership_services.revoke(administrator, member, "gone")
    assert_kept()
    RequestedType.objects.filter(application=app, partner_type=PartnerType.MODEL).delete()
    assert_kept()
    Membership.objects.filter(number="TALLY-1").update(admitted_at=timezone.now() - timedelta(days=400))
    assert_kept()


def test_a_rolled_back_change_leaves_the_counts(applicant):
    app = submitted_application(applicant)
    before = tally.read("app")
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            Application.objects.filter(pk=app.pk).update(state=ApplicationState.IN_REVIEW)
            raise RuntimeError
    assert tally.read("app") == before
    assert_kept()


def test_rebuild_gives_the_same_counts(applicant, reviewer):
    advance(submitted_application(applicant), ApplicationState.IN_REVIEW, reviewer=reviewer)
    make_member("北京智算科技有限公司")
    kept = tally.read("app", "apptype", "member", "grant", "month")
    tally.rebuild()
    assert tally.read("app", "apptype", "member", "grant", "month") == kept


def test_install_refuses_an_odd_time_zone():
    with pytest.raises(ValueError):
        install_sql("Asia/Shanghai'; DROP TABLE x; --")


def test_statistics_and_key_figures_match_the_rows():
    make_member("北京智算科技有限公司", types=("compute", "data"), district="110108")
    make_member("北京数据科技有限公司", types=("data",), district="110105")
    make_member("北京模型科技有限公司", types=("model",), district="110105", state=MembershipState.SUSPENDED)
    dated = make_member("北京应用科技有限公司", types=("application",), district="110101")
    MembershipGrant.objects.filter(membership=dated).update(ends_on=timezone.localdate() + timedelta(days=3))
    gone = make_member("北京投资有限公司", types=("investment",), district="110101")
    MembershipGrant.objects.filter(membership=gone).update(ends_on=timezone.localdate() - timedelta(days=3))
    assert {c: n for c, _l, n in statistics.members_per_partner_type().rows} == {
        "compute": 1, "data": 2, "model": 0, "application": 1, "investment": 0}
    assert [(c, n) for c, _l, n in statistics.members_per_district().rows] == sorted(
        [("110108", 1), ("110105", 1), ("110101", 2)],
        key=lambda r: list(District.objects.filter(active=True).values_list("code", flat=True)).index(r[0]))
    figures = statistics.key_figures()
    assert figures["members"] == 4 and figures["districts"] == 3
    assert statistics.admissions_per_month().total == 5


def test_home_and_statistics_count_no_table(client):
    """The home page and the statistics page read kept counts: no COUNT over applications or memberships."""
    make_member("北京智算科技有限公司")
    for url in (reverse("public:home"), reverse("public:statistics")):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counting = [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()
                    and ('FROM "partners_application"' in q["sql"] or 'FROM "partners_membership"' in q["sql"])]
        assert counting == [], counting


@pytest.mark.parametrize("params", [{}, {"state": "submitted"}, {"partner_type": "data"}, {"district": "110108"},
                                    {"partner_type": "data", "district": "110108", "state": "in_review"}])
def test_queue_counts_per_state_are_kept_and_exact(applicant, reviewer, params):
    advance(submitted_application(applicant, types=(PartnerType.DATA,)), ApplicationState.IN_REVIEW,
            reviewer=reviewer)
    form = QueueFilterForm(params)
    assert form.is_valid(), form.errors
    kept = form.kept_counts_per_state()
    assert kept is not None
    qs = form.filter(reviewer, with_state=False)
    assert kept.counts == [(s, qs.filter(state=s).count()) for s in QUEUE_STATES]
    with CaptureQueriesContext(connection) as ctx:
        form.counts_per_state(reviewer)
    assert len(ctx.captured_queries) == 1 and "partners_tally" in ctx.captured_queries[0]["sql"]


@pytest.mark.parametrize("params", [{"q": "九章"}, {"channel": "self"}, {"unassigned": "1"}])
def test_queue_counts_rows_for_filters_the_tally_does_not_key(params):
    form = QueueFilterForm(params)
    assert form.is_valid(), form.errors
    assert form.kept_counts_per_state() is None


def test_the_district_key_of_an_organisation_without_one(applicant):
    submitted_application(applicant)
    org = applicant.organizations.get()
    org.district = None
    org.save()
    assert ("submitted", "") in tally.read("app")["app"]
    assert_kept()
