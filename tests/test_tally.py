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
from partners.models import (
    Application,
    ApplicationProfile,
    District,
    Industry,
    MemberIndustry,
    Membership,
    MembershipGrant,
    ModelProfile,
    RequestedType,
)
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
    out = {kind: Counter() for kind in KINDS}
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
    for (_membership, code), (_admitted, active, open_ended) in member_industries_from_rows().items():
        if active and open_ended:
            out["industry"][(code,)] += 1
    return {kind: {k: n for k, n in counts.items() if n} for kind, counts in out.items()}


def member_industries_from_rows():
    """{(membership, industry): (admitted_at, active, by a grant without end date)} from grants and profiles."""
    pairs = {}
    for grant in MembershipGrant.objects.select_related("membership").order_by("pk"):
        codes = set(ModelProfile.industries.through.objects.filter(
            modelprofile__application_id=grant.application_id).values_list("industry_id", flat=True))
        codes |= set(ApplicationProfile.objects.filter(application_id=grant.application_id, industry__isnull=False)
                     .values_list("industry_id", flat=True))
        member = grant.membership
        for code in codes:
            before = pairs.get((member.pk, code))
            pairs[(member.pk, code)] = (member.admitted_at, member.state == MembershipState.ACTIVE,
                                        grant.ends_on is None or bool(before and before[2]))
    return pairs


KINDS = ("app", "apptype", "member", "grant", "month", "industry")


def assert_kept():
    assert tally.read(*KINDS) == from_rows()
    kept = {(k.membership_id, k.industry_id): (k.admitted_at, k.active, k.open_ended)
            for k in MemberIndustry.objects.all()}
    assert kept == member_industries_from_rows()


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


def industries(*codes):
    return Industry.objects.filter(code__in=codes)


def test_member_industries_follow_every_change(applicant, reviewer, approver, administrator):
    """The kept member industries and the counts per industry, after admission, a profile's industries changing,
    dated grants, suspension, reinstatement, revocation, readmission and deletions."""
    model = make_member("北京政务模型有限公司", types=("model", "data"), industries=("government", "finance"))
    own = make_member("北京金融应用有限公司", types=("application",), app_industry="finance")
    make_member("北京智算科技有限公司", types=("compute",))
    assert_kept()
    assert tally.read("industry")["industry"] == {("government",): 1, ("finance",): 2}
    # Admission through the workflow: the model profile's industries were chosen in the draft.
    app = submitted_application(applicant, types=(PartnerType.MODEL,))
    ModelProfile.objects.get(application=app).industries.set(industries("health", "finance"))
    assert_kept()
    advance(app, ApplicationState.PUBLICITY, reviewer=reviewer, approver=approver)
    membership_services.admit_due_applications(now=timezone.now() + timedelta(days=8))
    member = Membership.objects.get(organization=app.organization)
    assert_kept()
    assert tally.read("industry")["industry"][("finance",)] == 3
    # A profile's industries change: added, removed, replaced; an application partner's industry changes.
    profile = ModelProfile.objects.get(application=app)
    profile.industries.add(Industry.objects.get(code="education"))
    assert_kept()
    profile.industries.remove(Industry.objects.get(code="finance"))
    assert_kept()
    profile.industries.set(industries("transport"))
    assert_kept()
    ApplicationProfile.objects.filter(application__grants__membership=own).update(industry_id="health")
    assert_kept()
    ApplicationProfile.objects.filter(application__grants__membership=own).update(industry=None)
    assert_kept()
    # Another grant of the same member puts it in the same industry twice: it counts once.
    ApplicationProfile.objects.create(application=app, industry_id="transport")
    assert_kept()
    # Grants with an end date: the member stays in the industry, out of the kept count.
    MembershipGrant.objects.filter(membership=model).update(ends_on=timezone.localdate() + timedelta(days=3))
    assert_kept()
    MembershipGrant.objects.filter(membership=model).update(ends_on=None)
    assert_kept()
    membership_services.suspend(administrator, member, "checking")
    assert_kept()
    membership_services.reinstate(administrator, member, "checked")
    assert_kept()
    membership_services.revoke(administrator, member, "gone")
    assert_kept()
    Membership.objects.filter(pk=member.pk).update(state=MembershipState.ACTIVE, admitted_at=timezone.now())
    assert_kept()
    # Deletions: a profile, a grant, a whole member.
    ModelProfile.objects.filter(application=app).delete()
    assert_kept()
    MembershipGrant.objects.filter(membership=model, partner_type="model").delete()
    assert_kept()
    MembershipGrant.objects.filter(membership=own).delete()
    assert_kept()
    Membership.objects.filter(pk=model.pk).delete()
    assert_kept()
    assert not MemberIndustry.objects.filter(membership_id=model.pk).exists()


def test_a_rolled_back_industry_change_leaves_the_counts():
    member = make_member("北京政务模型有限公司", types=("model",), industries=("government",))
    before = tally.read("industry")
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            ModelProfile.objects.get(application__grants__membership=member).industries.set(industries("finance"))
            Membership.objects.filter(pk=member.pk).update(state=MembershipState.SUSPENDED)
            raise RuntimeError
    assert tally.read("industry") == before == {"industry": {("government",): 1}}
    assert_kept()


def test_statistics_per_industry_count_current_grants_of_active_members():
    make_member("甲", types=("model", "application"), industries=("government", "finance"), app_industry="finance")
    make_member("乙", types=("model",), industries=("finance",), state=MembershipState.SUSPENDED)
    running = make_member("丙", types=("model",), industries=("health",))
    MembershipGrant.objects.filter(membership=running).update(ends_on=timezone.localdate())  # ends tonight
    ended = make_member("丁", types=("model",), industries=("transport",))
    MembershipGrant.objects.filter(membership=ended).update(ends_on=timezone.localdate() - timedelta(days=1))
    both = make_member("戊", types=("model", "data"), industries=("education",))
    MembershipGrant.objects.filter(membership=both, partner_type="data").update(ends_on=timezone.localdate())
    assert_kept()
    assert {code: n for code, _l, n in statistics.members_per_industry().rows} == {
        "government": 1, "finance": 1, "health": 1, "education": 1}


def test_statistics_page_reads_industries_from_the_kept_counts(client):
    """The statistics page reads no profile table, and its queries do not grow with the members."""
    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("public:statistics")).status_code == 200
        return [q["sql"] for q in ctx.captured_queries]

    make_member("北京政务模型有限公司0", types=("model",), industries=("government", "finance"))
    few = queries()
    for i in range(1, 15):
        make_member(f"北京政务模型有限公司{i}", types=("model",), industries=("government", "finance"))
        make_member(f"北京金融应用有限公司{i}", types=("application",), app_industry="finance")
    many = queries()
    assert len(many) == len(few), (few, many)
    assert not [q for q in many if "profile" in q], many
    assert {code: n for code, _l, n in statistics.members_per_industry().rows} == {"government": 15, "finance": 29}


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
    make_member("北京政务模型有限公司", types=("model",), industries=("government", "finance"))
    make_member("北京金融应用有限公司", types=("application",), app_industry="finance")
    kept = tally.read(*KINDS)
    rows = sorted(MemberIndustry.objects.values_list("membership", "industry", "admitted_at", "active",
                                                     "open_ended"))
    assert kept["industry"] == {("government",): 1, ("finance",): 2}
    # A load that bypassed the triggers leaves the member industries wrong: the rebuild makes them again.
    MemberIndustry.objects.all().delete()
    tally.rebuild()
    assert tally.read(*KINDS) == kept
    assert sorted(MemberIndustry.objects.values_list("membership", "industry", "admitted_at", "active",
                                                     "open_ended")) == rows
    assert_kept()


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
        # Every kept count a page shows comes from one read of the tally, not one per figure.
        tally_reads = [q["sql"] for q in ctx.captured_queries if "FROM partners_tally" in q["sql"]]
        assert len(tally_reads) == 1, tally_reads


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
