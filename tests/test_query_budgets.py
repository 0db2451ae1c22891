"""Query budgets: every list and detail page and endpoint runs the same number of SQL queries for 5 rows as for 30.

Each test builds 5 rows, counts the queries of a request, grows the data to 30 rows and asserts the same count
under a fixed ceiling (``django_assert_max_num_queries``). The public response cache is off here (no shared
cache in tests), so these are the queries of a cache miss.

Where it can, a case also checks that the rows it grew are on the page (`rows_of`), so a case that grows
nothing the page shows cannot pass by accident. Detail pages grow the related rows they show (events, notes,
attachments, history...); those that show none grow the rest of the table instead. Exports are streamed:
their body is read inside the count. Pages that list a fixed set (partner types, letters, settings,
notification kinds) compare "nothing stored" with "everything stored".
"""

import io
import itertools
import json
import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partners.enums import ApplicationState, NotificationChannel, NotificationState, OrgRole, PartnerType
from partners.models import (
    Application,
    ApplicationProfile,
    Attachment,
    AuditEvent,
    Decision,
    DecisionLetterTemplate,
    District,
    Industry,
    JoinRequest,
    ModelProfile,
    Notification,
    NotificationPreference,
    Objection,
    OrganizationMember,
    PrivacyNotice,
    ReceiptCounter,
    RequestedType,
    ReviewMessage,
    Scenario,
    SecuritySetting,
    WebhookSubscription,
)
from partners.models.api import ApiScope
from partners.services import api_keys, security
from partners.services.audit import log_security
from tests.api_helpers import client_for, key_for
from tests.factories import (
    ApplicationFactory,
    OrganizationFactory,
    UserFactory,
    add_history,
    add_licence,
    complete_draft,
    english_client,
    make_staff,
)
from tests.public_fixtures import make_member

pytestmark = pytest.mark.django_db


def fetch(client, url, **extra):
    """One GET; a streamed answer (exports) is read to its end here, so its queries are counted too.
    The body is kept as `response.body`."""
    response = client.get(url, **extra)
    response.body = b"".join(response.streaming_content) if response.streaming else response.content
    return response


def queries_of(client, url, status=200, **extra):
    """Number of SQL queries of one GET, after a first GET has warmed per-session work (consent, sessions)."""
    first = fetch(client, url, **extra)
    assert first.status_code == status, (url, first.status_code)
    with CaptureQueriesContext(connection) as ctx:
        response = fetch(client, url, **extra)
    assert response.status_code == status
    return len(ctx.captured_queries), response


def assert_flat(client, url, grow, budget, django_assert_max_num_queries, rows_of=None, status=200, **extra):
    """5 rows, then 30: the same number of queries, and no more than `budget`."""
    grow(5)
    small, response_small = queries_of(client, url, status, **extra)
    grow(25)
    large, response_large = queries_of(client, url, status, **extra)
    if rows_of is not None:
        assert rows_of(response_small) == 5 and rows_of(response_large) >= 20, "the data did not grow"
    assert large == small, f"{url}: {small} queries for 5 rows, {large} for 30"
    with django_assert_max_num_queries(budget):
        fetch(client, url, **extra)


def add_members(n, **kwargs):
    for i in range(n):
        make_member(f"北京九章智算科技有限公司{timezone.now().timestamp()}{i}", types=("model", "data"),
                    industries=("government", "finance"), **kwargs)


def html_rows(response):
    return response.body.decode().count('<tr>') - 1  # minus the header row


def count_of(marker, minus=0):
    """Rows of a page that shows them other than as table rows: how often `marker` occurs, less `minus`."""
    return lambda response: response.body.decode().count(marker) - minus


def api_rows(response):
    return len(response.json()["results"])


# --- public ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["", "?type=model", "?q=九章", "?district=110108", "?industry=finance"])
def test_directory_page(client, django_assert_max_num_queries, query):
    assert_flat(client, "/members/" + query, add_members, 6, django_assert_max_num_queries, rows_of=html_rows)


def test_member_page(client, django_assert_max_num_queries):
    member = make_member(types=("model", "data", "compute"), industries=("government",))

    def grow(n):
        # A member page's cost must not depend on how many other members there are.
        add_members(n)

    assert_flat(client, f"/members/{member.number}/", grow, 6, django_assert_max_num_queries)


@pytest.mark.parametrize("query", ["", "?partner_type=model", "?q=九章", "?industry=finance", "?page_size=50"])
def test_members_api_list(django_assert_max_num_queries, query):
    client = client_for()
    assert_flat(client, "/api/v1/members/" + query, add_members, 6, django_assert_max_num_queries,
                rows_of=api_rows)


def test_members_api_detail(django_assert_max_num_queries):
    member = make_member(types=("model", "data"), industries=("government", "finance"))
    assert_flat(client_for(), f"/api/v1/members/{member.number}/", add_members, 6, django_assert_max_num_queries)


# --- staff -------------------------------------------------------------------------------------------


def add_submitted(n, types=(PartnerType.DATA, PartnerType.MODEL)):
    """Submitted applications written directly (the workflow has its own tests)."""
    for _ in range(n):
        org = OrganizationFactory()
        application = ApplicationFactory(organization=org, created_by=org.owner)
        for t in types:
            RequestedType.objects.create(application=application, organization=org, partner_type=t, is_open=True)
        Application.objects.filter(pk=application.pk).update(state=ApplicationState.SUBMITTED,
                                                             submitted_at=timezone.now())


@pytest.mark.parametrize("query", ["", "?state=submitted", "?partner_type=data&district=110108", "?q=北京",
                                   "?unassigned=1&sort=-submitted_at"])
def test_staff_queue(client, reviewer, django_assert_max_num_queries, query):
    client.force_login(reviewer)
    # 11 (was 14): the rows come with their requested types, the filter's short lists without a server-side cursor.
    assert_flat(client, "/staff/queue/" + query, add_submitted, 11, django_assert_max_num_queries)


def test_staff_application_detail(client, reviewer, submitted, django_assert_max_num_queries):
    client.force_login(reviewer)

    def grow(n):
        add_history(submitted, reviewer, n)

    # 22 (was 24): the duplicate check finds the organisation's other open applications among its history; the
    # profiles come with the application.
    assert_flat(client, f"/staff/applications/{submitted.pk}/", grow, 22, django_assert_max_num_queries)


def test_staff_member_list(client, reviewer, django_assert_max_num_queries):
    client.force_login(reviewer)
    assert_flat(client, "/staff/members/", add_members, 14, django_assert_max_num_queries)


# --- applicant portal --------------------------------------------------------------------------------


def applications_of(applicant):
    """A `grow` that adds closed applications of the applicant's organisation."""
    org = applicant.organizations.get()

    def grow(n):
        for _ in range(n):
            application = ApplicationFactory(organization=org, created_by=applicant)
            RequestedType.objects.create(application=application, organization=org, partner_type="data",
                                         is_open=False)

    return grow


def test_portal_home_lists_applications(client, applicant, django_assert_max_num_queries):
    client.force_login(applicant)
    grow = applications_of(applicant)
    assert_flat(client, "/portal/", grow, 16, django_assert_max_num_queries)


def test_portal_application_page(client, applicant, submitted, django_assert_max_num_queries):
    client.force_login(applicant)

    def grow(n):
        for i in range(n):
            AuditEvent.objects.create(action="application.submitted", actor_label="test", application=submitted,
                                      organization=submitted.organization, data={}, visible_to_applicant=True)
            ReviewMessage.objects.create(application=submitted, author=applicant, body=f"message {i}")

    assert_flat(client, f"/portal/applications/{submitted.pk}/", grow, 25, django_assert_max_num_queries)


def test_inbox_list(client, applicant, django_assert_max_num_queries):
    client.force_login(applicant)

    def grow(n):
        for i in range(n):
            Notification.objects.create(recipient=applicant, template_key="application.submitted",
                                        dedupe_key=f"budget-{i}-{timezone.now().timestamp()}")

    assert_flat(client, "/inbox/", grow, 12, django_assert_max_num_queries)


def test_applications_api_list_and_detail(applicant, submitted, django_assert_max_num_queries):
    _key, token = key_for(applicant)
    client = client_for(token)
    grow = applications_of(applicant)
    assert_flat(client, "/api/v1/applications/", grow, 14, django_assert_max_num_queries)
    assert_flat(client, f"/api/v1/applications/{submitted.public_id}/", grow, 14, django_assert_max_num_queries)


# --- helpers of the cases below ----------------------------------------------------------------------


def add_in_publicity(n, types=(PartnerType.DATA, PartnerType.MODEL)):
    """Applications in their public notice period, each of its own organisation, written directly."""
    for _ in range(n):
        org = OrganizationFactory()
        application = ApplicationFactory(organization=org, created_by=org.owner)
        for t in types:
            RequestedType.objects.create(application=application, organization=org, partner_type=t,
                                         is_open=True, granted=True)
        Application.objects.filter(pk=application.pk).update(
            state=ApplicationState.PUBLICITY, submitted_at=timezone.now(),
            publicity_ends_at=timezone.now() + timedelta(days=5))


_serial = itertools.count(1)


def unique(prefix):
    return f"{prefix}-{next(_serial)}"


def xlsx_rows(response):
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.body), read_only=True).worksheets[0]
    return sum(1 for _row in sheet.iter_rows()) - 1  # minus the header row


def csv_rows(response):
    return response.body.decode("utf-8-sig").count("\n") - 1  # minus the header row


def total_of_block(key):
    """The "Total" figure of one block of the statistics page."""
    def rows_of(response):
        block = response.body.decode().split(f'data-testid="stat-{key}"', 1)[1].split("</section>", 1)[0]
        return int(re.search(r'<tfoot>.*?<td class="text-end">(\d+)</td>', block, re.S).group(1))
    return rows_of


# --- public (more) -----------------------------------------------------------------------------------


def test_home_page(client, django_assert_max_num_queries):
    def grow(n):
        add_in_publicity(n)
        add_members(n)

    # The home page lists the first 20 applications in public notice.
    assert_flat(client, "/", grow, 10, django_assert_max_num_queries, rows_of=html_rows)


def test_statistics_page(client, django_assert_max_num_queries):
    assert_flat(client, "/statistics/", add_members, 10, django_assert_max_num_queries,
                rows_of=total_of_block("districts"))


@pytest.mark.parametrize(("url", "rows_of"), [("/members/export.csv", csv_rows),
                                              ("/members/export.xlsx", xlsx_rows),
                                              ("/members/export.csv?type=model&industry=finance", csv_rows)])
def test_roster_exports(client, django_assert_max_num_queries, url, rows_of):
    assert_flat(client, url, add_members, 4, django_assert_max_num_queries, rows_of=rows_of)


def test_public_notice_list(client, django_assert_max_num_queries):
    assert_flat(client, "/publicity/", add_in_publicity, 6, django_assert_max_num_queries, rows_of=html_rows)


def test_public_notice_objection_page(client, django_assert_max_num_queries):
    add_in_publicity(1, types=tuple(PartnerType.values))
    application = Application.objects.get(state=ApplicationState.PUBLICITY)
    # The page shows one application and its granted types; its cost must not depend on the others.
    assert_flat(client, f"/publicity/{application.public_id}/objection/", add_in_publicity, 6,
                django_assert_max_num_queries)


def test_privacy_notice_page(client, django_assert_max_num_queries):
    published = PrivacyNotice.objects.published().count()

    def grow(n):
        top = PrivacyNotice.objects.order_by("-version").values_list("version", flat=True).first() or 0
        for i in range(1, n + 1):
            PrivacyNotice.objects.create(version=top + i, title_zh="隐私政策", title_en="Privacy notice",
                                         text_zh="正文", text_en="Text",
                                         published_at=timezone.now() - timedelta(days=1, minutes=top + i))

    assert_flat(client, "/me/privacy/", grow, 6, django_assert_max_num_queries,
                rows_of=count_of("?version=", minus=published))


# --- API (more) --------------------------------------------------------------------------------------


def test_partner_types_api_list(django_assert_max_num_queries):
    """A fixed list (the five partner types, from code): nothing to grow, a ceiling only."""
    client = client_for()
    _count, response = queries_of(client, "/api/v1/partner-types/")
    assert len(response.json()) == len(PartnerType.values)
    with django_assert_max_num_queries(1):
        client.get("/api/v1/partner-types/")


@pytest.mark.parametrize("model", [District, Industry])
def test_reference_api_list_and_detail(django_assert_max_num_queries, model):
    path = {District: "districts", Industry: "industries"}[model]
    before = model.objects.filter(active=True).count()
    existing = model.objects.filter(active=True).first()

    def grow(n):
        for _ in range(n):
            code = unique("t")
            model.objects.create(code=code, name_zh=f"区{code}", name_en=f"Place {code}", position=900)

    def rows_of(response):
        return len(response.json()) - before

    assert_flat(client_for(), f"/api/v1/{path}/", grow, 3, django_assert_max_num_queries, rows_of=rows_of)
    assert_flat(client_for(), f"/api/v1/{path}/{existing.code}/", grow, 3, django_assert_max_num_queries)


def test_organizations_api_list_for_staff(reviewer, django_assert_max_num_queries):
    _key, token = key_for(reviewer)
    assert_flat(client_for(token), "/api/v1/organizations/", add_members, 6, django_assert_max_num_queries,
                rows_of=api_rows)


def test_organizations_api_list_and_detail_for_an_applicant(applicant, organization,
                                                            django_assert_max_num_queries):
    _key, token = key_for(applicant)
    client = client_for(token)

    def grow(n):
        # Organisations the person also acts for, members of the plan, in another district than their own.
        for _ in range(n):
            membership = make_member(f"北京数据科技有限公司{next(_serial)}", district="110105")
            OrganizationMember.objects.create(organization=membership.organization, user=applicant,
                                              role=OrgRole.COLLEAGUE)

    assert_flat(client, "/api/v1/organizations/?district=110105", grow, 6, django_assert_max_num_queries,
                rows_of=api_rows)
    assert_flat(client, f"/api/v1/organizations/{organization.public_id}/", grow, 6, django_assert_max_num_queries)


def test_application_attachments_api_list(applicant, submitted, django_assert_max_num_queries):
    _key, token = key_for(applicant)

    def grow(n):
        for _ in range(n):
            add_licence(submitted, applicant)

    assert_flat(client_for(token), f"/api/v1/applications/{submitted.public_id}/attachments/", grow, 8,
                django_assert_max_num_queries, rows_of=lambda r: len(r.json()) - 1)  # minus the first licence


def test_decisions_api_list_and_detail(reviewer, submitted, django_assert_max_num_queries):
    _key, token = key_for(reviewer)
    client = client_for(token)
    first = Decision.objects.create(application=submitted, level=Decision.Level.FIRST, action="pass_to_final",
                                    actor=reviewer, per_type={"data": "grant"})

    def grow(n):
        for i in range(n):
            # Each decision by another person: the actor's e-mail is part of every row.
            Decision.objects.create(application=submitted, level=Decision.Level.FINAL, action="approve",
                                    actor=make_staff("approver"), per_type={"data": "grant"}, reason=f"r{i}")

    assert_flat(client, f"/api/v1/decisions/?level={Decision.Level.FINAL}", grow, 6,
                django_assert_max_num_queries, rows_of=api_rows)
    assert_flat(client, f"/api/v1/decisions/{first.public_id}/", grow, 6, django_assert_max_num_queries)


@pytest.mark.parametrize("who", ["applicant", "reviewer"])
def test_events_api_list(applicant, organization, reviewer, django_assert_max_num_queries, who):
    _key, token = key_for({"applicant": applicant, "reviewer": reviewer}[who])

    def grow(n):
        for _ in range(n):
            # Submitted: a draft's events are the applicant's alone, and the reviewer's feed leaves them out.
            application = ApplicationFactory(organization=organization, created_by=applicant,
                                             state="submitted", submitted_at=timezone.now())
            AuditEvent.objects.create(action="application.assigned", actor_label="test", application=application,
                                      organization=organization, data={"reason": "x"},
                                      visible_to_applicant=True)

    assert_flat(client_for(token), "/api/v1/events/?type=application.assigned", grow, 6,
                django_assert_max_num_queries, rows_of=api_rows)


def test_webhooks_api_list_detail_and_deliveries(applicant, django_assert_max_num_queries):
    key, token = key_for(applicant)
    client = client_for(token)

    def grow_subscriptions(n):
        for _ in range(n):
            WebhookSubscription.objects.create(api_key=key, url=f"https://example.com/{unique('hook')}",
                                               event_types=["application.submitted"], secret="s" * 64)

    assert_flat(client, "/api/v1/webhooks/", grow_subscriptions, 6, django_assert_max_num_queries,
                rows_of=api_rows)
    first = WebhookSubscription.objects.filter(api_key=key).first()

    def grow_deliveries(n):
        for _ in range(n):
            serial = next(_serial)
            Notification.objects.create(channel=NotificationChannel.WEBHOOK, template_key="webhook",
                                        dedupe_key=f"webhook:{first.pk}:{serial}:application.submitted",
                                        context={"subscription": first.pk, "event": serial,
                                                 "event_type": "application.submitted"})

    assert_flat(client, f"/api/v1/webhooks/{first.public_id}/", grow_deliveries, 6, django_assert_max_num_queries)
    Notification.objects.filter(channel=NotificationChannel.WEBHOOK).delete()
    assert_flat(client, f"/api/v1/webhooks/{first.public_id}/deliveries/", grow_deliveries, 6,
                django_assert_max_num_queries, rows_of=api_rows)


# --- API keys page -----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["applicant", "administrator"])
def test_api_keys_page(applicant, administrator, django_assert_max_num_queries, who):
    person = {"applicant": applicant, "administrator": administrator}[who]
    client = english_client(person)

    def grow(n):
        for _ in range(n):
            # An administrator sees keys acting for many people, created by someone else.
            owner = make_staff("reviewer") if who == "administrator" else applicant
            api_keys.create_key(person, owner=owner, name=unique("key"), scopes=[ApiScope.MEMBERS_READ])

    assert_flat(client, "/keys/", grow, 14, django_assert_max_num_queries, rows_of=html_rows)


# --- applicant portal (more) -------------------------------------------------------------------------


def grow_organization(applicant, organization):
    def grow(n):
        for i in range(n):
            OrganizationMember.objects.create(organization=organization, user=UserFactory(), title=f"t{i}",
                                              role=OrgRole.COLLEAGUE)
            JoinRequest.objects.create(organization=organization, user=UserFactory(), message=f"m{i}")
            ApplicationFactory(organization=organization, created_by=applicant)
    return grow


def test_portal_organisation_page(client, applicant, organization, django_assert_max_num_queries):
    client.force_login(applicant)
    # Its people (owner and colleagues), requests to join and applications.
    assert_flat(client, f"/portal/organisations/{organization.pk}/", grow_organization(applicant, organization),
                16, django_assert_max_num_queries, rows_of=lambda r: html_rows(r) - 1)  # minus the owner


def test_portal_organisation_edit_page(client, applicant, organization, django_assert_max_num_queries):
    client.force_login(applicant)
    assert_flat(client, f"/portal/organisations/{organization.pk}/edit/",
                grow_organization(applicant, organization), 12, django_assert_max_num_queries)


def test_portal_claim_page_lists_pending_join_requests(client, django_assert_max_num_queries):
    person = UserFactory()
    client.force_login(person)

    def grow(n):
        for _ in range(n):
            JoinRequest.objects.create(organization=OrganizationFactory(), user=person, message="请通过")

    assert_flat(client, "/portal/organisation/claim/", grow, 10, django_assert_max_num_queries,
                rows_of=count_of("alert alert-info"))


@pytest.mark.parametrize(("step", "budget"), [("organization", 14), ("types", 16), ("profiles", 20), ("channel", 14),
                                              ("attachments", 14), ("review", 30)])
def test_portal_wizard_steps(client, applicant, draft, django_assert_max_num_queries, step, budget):
    client.force_login(applicant)
    complete_draft(draft, types=(PartnerType.APPLICATION, PartnerType.MODEL))  # one licence
    profile = ApplicationProfile.objects.get(application=draft)
    model_profile = ModelProfile.objects.get(application=draft)
    model_profile.industries.set(Industry.objects.filter(active=True)[:3])

    def grow(n):
        for i in range(n):
            # Recommendation letters: the attachments and review steps list every file, the channel step these.
            letter = add_licence(draft, applicant)
            Attachment.objects.filter(pk=letter.pk).update(kind=Attachment.Kind.RECOMMENDATION_LETTER)
            Scenario.objects.create(profile=profile, title=f"场景{i}", description="描述")

    attachments = count_of("/portal/attachments/", minus=1)  # minus the licence
    scenarios = count_of("<li><strong>场景")
    # The profiles step edits at most MAX_SCENARIOS scenarios, so its rows cannot reach 20.
    rows_of = {"attachments": attachments, "channel": count_of("/portal/attachments/"),
               "review": lambda r: min(attachments(r), scenarios(r))}.get(step)
    assert_flat(client, f"/portal/applications/{draft.pk}/step/{step}/", grow, budget,
                django_assert_max_num_queries, rows_of=rows_of)


def test_my_data_page(client, applicant, organization, django_assert_max_num_queries):
    client.force_login(applicant)

    def grow(n):
        for i in range(n):
            ApplicationFactory(organization=organization, created_by=applicant, contact_name="预算联系人")
            Notification.objects.create(recipient=applicant, template_key="application.submitted",
                                        dedupe_key=unique("my-data"))
            log_security("auth.login", user=applicant, ip="192.0.2.1")
            JoinRequest.objects.create(organization=OrganizationFactory(), user=applicant, message=f"m{i}")

    # About one query per location of the personal-data registry (partners/personal_data.py), flat in rows:
    # 41, and one for the subsidy claims, four for the catalogue entries (two tables), introductions and pilot
    # cases, five for the member services (contacts, requests, annual updates, profile changes, roster imports)
    # and one for expert reviews.
    assert_flat(client, "/me/data/", grow, 52, django_assert_max_num_queries, rows_of=count_of("预算联系人"))


def test_my_data_download(client, applicant, organization, django_assert_max_num_queries):
    client.force_login(applicant)

    def grow(n):
        for _ in range(n):
            ApplicationFactory(organization=organization, created_by=applicant)
            Notification.objects.create(recipient=applicant, template_key="application.submitted",
                                        dedupe_key=unique("my-data-json"))

    # 53: the verification cases are a location of their own (partners/personal_data.py), and so are the subsidy
    # claims, the catalogue entries (two tables), introductions, pilot cases, the five member-service locations
    # and expert reviews.
    assert_flat(client, "/me/data.json", grow, 53, django_assert_max_num_queries,
                rows_of=lambda r: len(json.loads(r.body)["applications"]))


def test_account_deletion_page_lists_what_blocks_it(applicant, django_assert_max_num_queries):
    client = english_client(applicant)

    def grow(n):
        # Organisations the person owns that have other people: each one is a reason listed on the page.
        for _ in range(n):
            org = OrganizationFactory(owner=applicant)
            OrganizationMember.objects.create(organization=org, user=UserFactory(), role=OrgRole.COLLEAGUE)

    assert_flat(client, "/me/delete/", grow, 10, django_assert_max_num_queries,
                rows_of=count_of("and it has other people"))


def test_inbox_open_notification(client, applicant, submitted, django_assert_max_num_queries):
    client.force_login(applicant)
    notification = Notification.objects.create(recipient=applicant, template_key="application.submitted",
                                               application=submitted, dedupe_key=unique("open"))

    def grow(n):
        for _ in range(n):
            Notification.objects.create(recipient=applicant, template_key="application.submitted",
                                        application=submitted, dedupe_key=unique("inbox"))

    # Opening one notification marks it read and redirects to what it is about.
    assert_flat(client, f"/inbox/{notification.pk}/", grow, 8, django_assert_max_num_queries, status=302)


def test_inbox_preferences_page(client, applicant, django_assert_max_num_queries):
    """A fixed list (the kinds of notification) with the person's choices: none made, then all made."""
    from partners.services import notifications

    client.force_login(applicant)
    none_made, _response = queries_of(client, "/inbox/settings/")
    kinds = [code for code, kind in notifications.kinds_for(applicant, staff=False) if not kind.essential]
    assert kinds
    for code in kinds:
        NotificationPreference.objects.create(user=applicant, kind=code, enabled=True, digest=True)
    all_made, _response = queries_of(client, "/inbox/settings/")
    assert all_made == none_made
    with django_assert_max_num_queries(10):
        client.get("/inbox/settings/")


# --- staff (more) ------------------------------------------------------------------------------------


def test_staff_dashboard(client, reviewer, django_assert_max_num_queries):
    client.force_login(reviewer)

    def grow(n):
        add_submitted(n)
        Application.objects.filter(state=ApplicationState.SUBMITTED, assigned_reviewer=None).update(
            assigned_reviewer=reviewer)
        add_in_publicity(n)
        for application in Application.objects.filter(state=ApplicationState.PUBLICITY, objections=None):
            Objection.objects.create(application=application, name="李四", contact="13800000000", reason="有异议")

    # "My assignments" lists the first 20.
    assert_flat(client, "/staff/", grow, 16, django_assert_max_num_queries,
                rows_of=count_of('<tr><td><a href="/staff/applications/'))


def test_staff_member_detail(client, approver, django_assert_max_num_queries):
    client.force_login(approver)  # an approver also gets the forms that change the member's state
    membership = make_member(types=("model", "data"), industries=("government",))
    org = membership.organization

    def grow(n):
        for i in range(n):
            AuditEvent.objects.create(action="member.suspended", actor_label="test", organization=org,
                                      data={"reason": f"reason {i}"})
            application = ApplicationFactory(organization=org, created_by=org.owner)
            RequestedType.objects.create(application=application, organization=org, partner_type="compute",
                                         is_open=False)
            Application.objects.filter(pk=application.pk).update(state=ApplicationState.REJECTED)

    assert_flat(client, f"/staff/members/{membership.pk}/", grow, 16, django_assert_max_num_queries,
                rows_of=count_of('data-event="member.suspended"'))


def test_staff_letters_page(client, administrator, django_assert_max_num_queries):
    """A fixed list (every outcome in every language): all defaults, then all edited."""
    from partners.services import letters

    client.force_login(administrator)
    defaults, _response = queries_of(client, "/staff/letters/")
    for row in letters.letter_templates():
        DecisionLetterTemplate.objects.create(outcome=row["outcome"], language=row["language"],
                                              subject="主题", body="正文")
    edited, response = queries_of(client, "/staff/letters/")
    assert response.body.decode().count("/staff/letters/") >= len(letters.letter_templates())
    assert edited == defaults
    with django_assert_max_num_queries(10):
        client.get("/staff/letters/")


def test_staff_queue_export(client, reviewer, django_assert_max_num_queries):
    client.force_login(reviewer)
    assert_flat(client, "/staff/queue/export.xlsx", add_submitted, 10, django_assert_max_num_queries,
                rows_of=xlsx_rows)


def add_outbox(n):
    """A failed and a sent e-mail per step, each to another person about another organisation's application."""
    for state in (NotificationState.FAILED, NotificationState.SENT):
        for _ in range(n):
            person = UserFactory()
            application = ApplicationFactory()
            Notification.objects.create(recipient=person, email=person.email, template_key="application.submitted",
                                        application=application, state=state, attempts=3, last_error="timeout",
                                        dedupe_key=unique("outbox"),
                                        context={"organization": application.organization.name})


@pytest.mark.parametrize("query", ["", "?state=sent"])
def test_outbox_list(client, administrator, django_assert_max_num_queries, query):
    client.force_login(administrator)
    assert_flat(client, "/staff/outbox/" + query, add_outbox, 16, django_assert_max_num_queries, rows_of=html_rows)


def test_outbox_detail(client, administrator, submitted, django_assert_max_num_queries):
    client.force_login(administrator)
    notification = Notification.objects.filter(application=submitted).first() or Notification.objects.create(
        recipient=submitted.created_by, template_key="application.submitted", application=submitted,
        dedupe_key=unique("detail"))
    # One message and its e-mail preview; its cost must not depend on the rest of the outbox.
    assert_flat(client, f"/staff/outbox/{notification.pk}/", add_outbox, 12, django_assert_max_num_queries)


# --- security administration -------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["", "?action=budget.checked", "?result=success&actor=budget"])
def test_security_audit_log(django_assert_max_num_queries, query):
    client = english_client(make_staff("audit_admin"))

    def grow(n):
        for i in range(n):
            log_security("budget.checked", ip="192.0.2.1", label=f"budget-{i}@example.com",
                         object_ref=f"thing:{i}", data={"i": i})

    assert_flat(client, "/security/audit/" + query, grow, 12, django_assert_max_num_queries,
                rows_of=html_rows if query else None)


def test_security_audit_csv(django_assert_max_num_queries):
    client = english_client(make_staff("audit_admin"))

    def grow(n):
        for i in range(n):
            log_security("budget.checked", ip="192.0.2.1", label=f"budget-{i}@example.com", data={"i": i})

    assert_flat(client, "/security/audit.csv?action=budget.checked&reason=budget+test", grow, 10,
                django_assert_max_num_queries, rows_of=csv_rows)


def test_security_roles_page(django_assert_max_num_queries):
    from partners.views.compliance import staff_accounts

    client = english_client(make_staff("security_admin"))
    before = staff_accounts().count()

    def grow(n):
        for i in range(n):
            make_staff(("reviewer", "approver", "service_officer")[i % 3])

    assert_flat(client, "/security/roles/", grow, 18, django_assert_max_num_queries,
                rows_of=lambda r: html_rows(r) - before)


def test_security_settings_page(django_assert_max_num_queries):
    """A fixed list (every security setting): none changed, then all changed."""
    system_admin = make_staff("system_admin")
    client = english_client(system_admin)
    defaults, _response = queries_of(client, "/security/settings/")
    for key in SecuritySetting.Key.values:
        value = security.setting_value(key) + 1
        if value > security.MAXIMUMS.get(key, value):  # the database refuses a value past the ceiling
            value -= 2
        SecuritySetting.objects.create(key=key, value=value, changed_by=system_admin)
    cache.clear()  # settings in force are cached
    changed, _response = queries_of(client, "/security/settings/")
    assert changed == defaults
    with django_assert_max_num_queries(10):
        client.get("/security/settings/")


def test_privacy_notice_versions_page(django_assert_max_num_queries):
    client = english_client(make_staff("system_admin"))
    before = PrivacyNotice.objects.count()

    def grow(n):
        top = PrivacyNotice.objects.order_by("-version").values_list("version", flat=True).first() or 0
        for i in range(1, n + 1):
            PrivacyNotice.objects.create(version=top + i, title_zh="隐私政策", title_en="Privacy notice",
                                         text_zh="正文", text_en="Text")

    assert_flat(client, "/security/privacy-notices/", grow, 12, django_assert_max_num_queries,
                rows_of=lambda r: html_rows(r) - before)


def test_person_export_page(applicant, organization, django_assert_max_num_queries):
    client = english_client(make_staff("system_admin"))

    def grow(n):
        for _ in range(n):
            ApplicationFactory(organization=organization, created_by=applicant)
            Notification.objects.create(recipient=applicant, template_key="application.submitted",
                                        dedupe_key=unique("export"))

    # The page names the person and asks for the reason; it reads none of their data.
    assert_flat(client, f"/security/people/{applicant.pk}/export/", grow, 12, django_assert_max_num_queries)


# --- submission ---------------------------------------------------------------------------------------


def submission_queries(applicant, draft, *, reviewers, via, types=(PartnerType.DATA,)):
    """The queries of one submission of a complete draft, through the API or the web's review step."""
    complete_draft(draft, types=types)
    if PartnerType.APPLICATION in types:
        Scenario.objects.create(profile=ApplicationProfile.objects.get(application=draft), title="开放场景",
                                description="政务热线")
    # The year's receipt counter exists but at the year's very first submission.
    ReceiptCounter.objects.get_or_create(year=timezone.localtime().year, defaults={"last": 0})
    for _ in range(reviewers - 1):
        make_staff("reviewer")
    if via == "api":
        _key, token = key_for(applicant)
        client = client_for(token)
        client.get("/api/v1/applications/")  # warms the key's per-process work, as a client that reads first
        url, data, extra = f"/api/v1/applications/{draft.public_id}/actions/submit/", {}, {"format": "json"}
    else:
        client = english_client(applicant)
        client.get(f"/portal/applications/{draft.pk}/step/review/")
        url = f"/portal/applications/{draft.pk}/step/review/"
        data, extra = {"declaration": "on", "expected_state": "draft", "submit": "1"}, {}
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(url, data, **extra)
    assert response.status_code in (200, 302), response.content[:500]
    draft.refresh_from_db()
    assert draft.state == ApplicationState.SUBMITTED
    return len(ctx.captured_queries)


# The submission reads each thing it needs once: the application, organisation, call and profiles under the row
# lock, the partner types once, and the people to notify with their notification choices in one query each.
# Before: 51, 60 and 52 (the partner types read 5 to 7 times, the profiles and the call twice, each reviewer's
# notification choices in a query of their own, and the API's lookup of the application read what only its answer
# shows). Then 33, 37 and 36: each outbox row and the API's action in a savepoint of their own, the receipt counter
# locked and counted in two queries, the attachments read for the check and again for the snapshot. The counts are
# exact: a submission that grows by a query fails here first.
SUBMISSION_BUDGETS = {("api", (PartnerType.DATA,)): 25, ("api", (PartnerType.APPLICATION, PartnerType.MODEL)): 29,
                      ("web", (PartnerType.DATA,)): 30}


@pytest.mark.parametrize(("via", "types"), list(SUBMISSION_BUDGETS), ids=["api-data", "api-app-model", "web-data"])
def test_submission(applicant, draft, reviewer, via, types):
    assert submission_queries(applicant, draft, reviewers=1, via=via, types=types) == SUBMISSION_BUDGETS[via, types]


def test_submission_notifies_more_reviewers_without_a_query_per_person(applicant, draft, reviewer):
    """Each further reviewer costs their outbox row (its insert, which skips a row recorded already without a
    savepoint) and nothing else: their notification choices are read with everyone else's."""
    one = submission_queries(applicant, draft, reviewers=1, via="api", types=(PartnerType.DATA,))
    other = ApplicationFactory(organization=draft.organization, created_by=applicant)
    # Another type of the same shape (the data type is open in the first application now).
    four = submission_queries(applicant, other, reviewers=4, via="api", types=(PartnerType.COMPUTE,))
    assert four - one == 3 * 1, (one, four)
