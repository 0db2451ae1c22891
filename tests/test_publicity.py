"""The public notice (公示): the public list, objections (throttled), their resolution, and admission."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from partners.enums import ApplicationState, ObjectionState, PartnerType
from partners.models import Notification, Objection
from partners.services.membership import admit_due_applications
from partners.tasks import end_publicity_periods
from tests.factories import advance, submitted_application


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def in_publicity(applicant, reviewer, approver):
    return advance(submitted_application(applicant, types=(PartnerType.DATA, PartnerType.MODEL)),
                   ApplicationState.PUBLICITY, reviewer=reviewer, approver=approver, granted=["data"])


def objection_url(application):
    return reverse("publicity:objection", args=[application.public_id])


def object_to(client, application, ip="203.0.113.7", language="zh-hans", **overrides):
    data = {"name": "张三", "contact": "zhangsan@example.com", "reason": "该单位数据来源不合规。", **overrides}
    return client.post(objection_url(application), data, REMOTE_ADDR=ip, HTTP_ACCEPT_LANGUAGE=language)


def later(days=8):
    return timezone.now() + timezone.timedelta(days=days)


def test_public_list_shows_granted_types_and_end_date_but_no_contact(client, in_publicity):
    response = client.get(reverse("publicity:list"))
    assert response.status_code == 200
    text = response.content.decode()
    assert in_publicity.organization.name in text
    assert in_publicity.contact_email not in text and in_publicity.contact_phone not in text
    assert list(response.context["page"])[0].granted_types[0].partner_type == "data"
    assert objection_url(in_publicity) in text


def test_period_length_is_configurable(settings, submitted, reviewer, approver):
    settings.PUBLICITY_DAYS = 3
    application = advance(submitted, ApplicationState.PUBLICITY, reviewer=reviewer, approver=approver)
    remaining = application.publicity_ends_at - timezone.now()
    assert timezone.timedelta(days=2, hours=23) < remaining <= timezone.timedelta(days=3)


def test_objection_blocks_admission_until_dismissed(client, in_publicity, approver):
    response = object_to(client, in_publicity)
    assert response.status_code == 302
    objection = Objection.objects.get(application=in_publicity)
    assert objection.source_ip == "203.0.113.7"
    assert Notification.objects.filter(template_key="staff.objection.filed", recipient=approver).exists()
    assert admit_due_applications(now=later()) == 0
    in_publicity.refresh_from_db()
    assert in_publicity.state == ApplicationState.PUBLICITY

    client.force_login(approver)
    dashboard = client.get(reverse("review:dashboard"))
    assert list(dashboard.context["objection_applications"]) == [in_publicity]
    prefix = f"objection-{objection.pk}"
    response = client.post(reverse("review:resolve_objection", args=[objection.pk]),
                           {f"{prefix}-outcome": "dismiss", f"{prefix}-resolution": "经核实，数据来源合规。"})
    assert response.status_code == 302
    objection.refresh_from_db()
    assert objection.state == ObjectionState.DISMISSED and objection.resolved_by == approver

    assert admit_due_applications(now=later()) == 1
    in_publicity.refresh_from_db()
    assert in_publicity.state == ApplicationState.ADMITTED
    membership = in_publicity.organization.membership
    assert list(membership.grants.values_list("partner_type", flat=True)) == ["data"]


def test_upheld_objection_returns_to_final_review_then_a_new_period_admits(client, in_publicity, approver,
                                                                        approver2):
    object_to(client, in_publicity)
    objection = Objection.objects.get()
    client.force_login(approver)
    prefix = f"objection-{objection.pk}"
    response = client.post(reverse("review:resolve_objection", args=[objection.pk]),
                           {f"{prefix}-outcome": "uphold", f"{prefix}-resolution": "异议成立，退回复审。"})
    assert response.status_code == 302
    in_publicity.refresh_from_db()
    assert in_publicity.state == ApplicationState.FINAL_REVIEW
    assert in_publicity.publicity_ends_at is None
    assert not in_publicity.requested_types.filter(granted__isnull=False).exists()
    assert in_publicity.events.filter(action="application.objection_upheld").exists()
    assert admit_due_applications(now=later()) == 0
    # Not on the public list any more, and no objection can be filed.
    assert client.get(objection_url(in_publicity)).status_code == 404

    from partners import workflow

    workflow.fire(in_publicity.pk, "approve", workflow.Actor(user=approver2), granted_types=["data"])
    # The objection upheld in the earlier period does not block the new one for ever.
    assert admit_due_applications(now=timezone.now() + timezone.timedelta(days=3)) == 0
    assert admit_due_applications(now=later(15)) == 1
    in_publicity.refresh_from_db()
    assert in_publicity.state == ApplicationState.ADMITTED


def test_the_periodic_task_admits_when_the_period_has_ended(in_publicity):
    assert end_publicity_periods() == 0  # the period is still running
    type(in_publicity).objects.filter(pk=in_publicity.pk).update(
        publicity_ends_at=timezone.now() - timezone.timedelta(minutes=1))
    assert end_publicity_periods() == 1
    in_publicity.refresh_from_db()
    assert in_publicity.state == ApplicationState.ADMITTED
    assert in_publicity.organization.membership.number.startswith("BJAI-")


def test_objections_are_throttled_per_address(client, in_publicity):
    for _ in range(5):
        assert object_to(client, in_publicity).status_code == 302
    response = object_to(client, in_publicity, language="en")
    assert response.status_code == 429
    assert "Too many objections" in response.content.decode()
    assert Objection.objects.count() == 5
    assert object_to(client, in_publicity, ip="198.51.100.9").status_code == 302


def test_bad_objection_input_keeps_nothing(client, in_publicity):
    response = object_to(client, in_publicity, reason="x" * 100_000)
    assert response.status_code == 400
    response = object_to(client, in_publicity, name="", contact="")
    assert response.status_code == 400
    response = object_to(client, in_publicity, reason="<script>alert(1)</script>")
    assert response.status_code == 302
    staff_page = Objection.objects.get()
    assert staff_page.reason == "<script>alert(1)</script>"
    assert Objection.objects.count() == 1


def test_no_objection_after_the_period_or_for_other_states(client, in_publicity, other_applicant):
    submitted = submitted_application(other_applicant)
    type(in_publicity).objects.filter(pk=in_publicity.pk).update(
        publicity_ends_at=timezone.now() - timezone.timedelta(minutes=1))
    assert object_to(client, in_publicity).status_code == 404
    assert client.get(objection_url(submitted)).status_code == 404
    assert Objection.objects.count() == 0
