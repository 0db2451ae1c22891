"""The staff view of one application: answers, attachments, duplicates, diff, timeline, notes apart from messages."""

import pytest
from django.urls import reverse

from partners import workflow
from partners.enums import ApplicationState, PartnerType
from partners.models import InternalNote
from partners.services import review as review_services
from partners.services.duplicates import normalize_name, possible_duplicates, similarity
from tests.factories import TINY_PDF, OrganizationFactory, submitted_application


def test_answers_grouped_by_type_with_attachments_and_timeline(client, reviewer, applicant):
    application = submitted_application(applicant, types=(PartnerType.DATA, PartnerType.COMPUTE))
    client.force_login(reviewer)
    response = client.get(reverse("review:detail", args=[application.pk]))
    assert response.status_code == 200
    groups = {g.key: g for g in response.context["answers"]}
    assert [g.key for g in groups["profiles"].subgroups] == ["compute", "data"]
    assert any("提供高质量中文语料" in row.value for row in groups["profiles"].subgroups[1].rows)
    actions = [e.action for e in response.context["events"]]
    assert "application.submitted" in actions
    attachment = application.attachments.get()
    download = client.get(reverse("review:attachment", args=[application.pk, attachment.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == TINY_PDF
    # An attachment id of another application is not served through this one.
    other = submitted_application(OrganizationFactory().owner)
    assert client.get(reverse("review:attachment", args=[application.pk, other.attachments.get().pk])
                      ).status_code == 404


def test_drafts_are_not_shown_to_staff(client, reviewer, draft):
    client.force_login(reviewer)
    assert client.get(reverse("review:detail", args=[draft.pk])).status_code == 404
    assert client.get(reverse("review:detail", args=[999999])).status_code == 404


def test_internal_notes_are_kept_apart_from_messages(client, reviewer, applicant, submitted):
    client.force_login(reviewer)
    assert client.post(reverse("review:note", args=[submitted.pk]), {"body": ""}).status_code == 400
    assert client.post(reverse("review:note", args=[submitted.pk]), {"body": "x" * 6000}).status_code == 400
    response = client.post(reverse("review:note", args=[submitted.pk]), {"body": "<b>内部</b>意见"})
    assert response.status_code == 302
    note = InternalNote.objects.get()
    assert note.author == reviewer
    page = client.get(reverse("review:detail", args=[submitted.pk]))
    text = page.content.decode()
    assert "&lt;b&gt;内部&lt;/b&gt;意见" in text  # escaped
    assert list(page.context["messages_to_applicant"]) == []
    # The applicant never sees the note on their own page.
    client.force_login(applicant)
    portal_page = client.get(reverse("portal:application", args=[submitted.pk]))
    assert portal_page.status_code == 200
    assert "内部" not in portal_page.content.decode()


def test_diff_between_the_last_two_revisions(client, reviewer, submitted, applicant):
    workflow.fire(submitted.pk, "start_review", workflow.Actor(user=reviewer))
    workflow.fire(submitted.pk, "request_changes", workflow.Actor(user=reviewer), message="请补充",
                  points=["描述太短"])
    from partners.services.applications import profile_of

    profile = profile_of(submitted, PartnerType.DATA)
    profile.summary = "提供1PB中文语料，覆盖金融与政务。"
    profile.save()
    workflow.fire(submitted.pk, "resubmit", workflow.Actor(user=applicant))
    client.force_login(reviewer)
    page = client.get(reverse("review:detail", args=[submitted.pk]))
    changes = page.context["changes"]
    [change] = [c for c in changes if c.section == "数据伙伴"]
    assert change.label == "可为伙伴计划提供的能力与资源"
    assert (change.before, change.after) == ("提供高质量中文语料与标注服务。", "提供1PB中文语料，覆盖金融与政务。")
    assert "提供1PB中文语料" in page.content.decode()


def test_duplicate_warnings(db, applicant):
    org = applicant.organizations.get()
    org.name = "北京深度求索人工智能基础技术研究有限公司"
    org.save()
    look_alike = OrganizationFactory(name="深度求索人工智能基础技术研究(北京)有限公司")
    OrganizationFactory(name="北京智谱华章科技有限公司")
    found = possible_duplicates(org)
    assert [d.organization for d in found] == [look_alike]
    assert similarity(org.name, "北京智谱华章科技有限公司") < 0.85
    assert normalize_name("北京某某科技有限公司") == "某某"
    # Another open application of the same organisation is flagged too.
    first = submitted_application(applicant, types=(PartnerType.DATA,))
    second = submitted_application(applicant, types=(PartnerType.MODEL,))
    found = possible_duplicates(org, second)
    assert any(d.application == first for d in found)


def test_duplicate_by_organisation_code(db):
    from partners.validators import build_credit_code

    a = OrganizationFactory(credit_code=build_credit_code("9", "1", "110108", "MA01XYC7"))
    b = OrganizationFactory(credit_code=build_credit_code("9", "1", "110105", "MA01XYC7"))
    assert b in [d.organization for d in possible_duplicates(a)]


def test_detail_queries_do_not_grow_with_history(client, reviewer, submitted, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(reviewer)
    url = reverse("review:detail", args=[submitted.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for i in range(15):
        review_services.add_note(reviewer, submitted, f"note {i}")
    with django_assert_max_num_queries(len(before) + 1), CaptureQueriesContext(connection) as after:
        client.get(url)
    assert len(after) <= len(before)


@pytest.mark.parametrize("state", [ApplicationState.SUBMITTED])
def test_single_assignment_from_the_detail_page(client, administrator, reviewer2, submitted, state):
    client.force_login(administrator)
    response = client.post(reverse("review:assign", args=[submitted.pk]), {"reviewer": reviewer2.pk})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.assigned_reviewer == reviewer2
    client.post(reverse("review:assign", args=[submitted.pk]), {"reviewer": "abc"})
    submitted.refresh_from_db()
    assert submitted.assigned_reviewer == reviewer2
