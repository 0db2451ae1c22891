"""Objections during the public notice: a reference number (shown and mailed), the outcome mailed to the
objector, evidence files through the upload checks, and the notice's start date and office contact."""

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from partners.enums import ApplicationState, PartnerType
from partners.models import Decision, Notification, Objection, ObjectionEvidence
from tests.factories import TINY_PDF, advance, submitted_application
from tests.portal_helpers import PNG


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def in_publicity(applicant, reviewer, approver):
    return advance(submitted_application(applicant, types=(PartnerType.DATA,)), ApplicationState.PUBLICITY,
                   reviewer=reviewer, approver=approver)


def object_to(client, application, *, files=(), language="zh-hans", **overrides):
    data = {"name": "张三", "contact": "13800001111", "email": "zhangsan@example.com",
            "reason": "该单位数据来源不合规。", **overrides}
    if files:
        data["evidence"] = list(files)
    return client.post(reverse("publicity:objection", args=[application.public_id]), data,
                       REMOTE_ADDR="203.0.113.7", HTTP_ACCEPT_LANGUAGE=language, follow=True)


def resolve(client, approver, objection, outcome):
    client.force_login(approver)
    prefix = f"objection-{objection.pk}"
    return client.post(reverse("review:resolve_objection", args=[objection.pk]),
                       {f"{prefix}-outcome": outcome, f"{prefix}-resolution": "经核实。"})


def test_objector_gets_a_reference_shown_and_mailed(client, in_publicity):
    response = object_to(client, in_publicity)
    objection = Objection.objects.get()
    assert objection.reference.startswith("YY-") and len(objection.reference) == 14
    assert objection.reference in response.content.decode()
    mail = Notification.objects.get(template_key="objection.received")
    assert mail.email == "zhangsan@example.com" and mail.recipient is None
    assert mail.context["reference"] == objection.reference


def test_contact_that_is_an_address_receives_the_mail(client, in_publicity):
    object_to(client, in_publicity, contact="lisi@example.com", email="")
    assert Notification.objects.get(template_key="objection.received").email == "lisi@example.com"


def test_references_differ(client, in_publicity):
    object_to(client, in_publicity)
    object_to(client, in_publicity)
    assert len(set(Objection.objects.values_list("reference", flat=True))) == 2


@pytest.mark.parametrize("outcome, state", [("dismiss", "dismissed"), ("uphold", "upheld")])
def test_objector_is_told_the_outcome(client, in_publicity, approver, outcome, state):
    object_to(client, in_publicity)
    objection = Objection.objects.get()
    assert resolve(client, approver, objection, outcome).status_code == 302
    mail = Notification.objects.get(template_key="objection.resolved")
    assert mail.email == "zhangsan@example.com"
    assert mail.context == {"reference": objection.reference, "outcome": state,
                            "organization": in_publicity.organization.name}


def test_outcome_mail_text_names_the_outcome(in_publicity, approver, in_english):
    from django.utils import translation

    from partners.services.delivery import render as render_notification
    from partners.services.review import file_objection, resolve_objection

    with translation.override("en"):
        objection = file_objection(in_publicity, name="Zhang", contact="zhang@example.com", reason="Bad data.")
    resolve_objection(approver, objection, uphold=False, resolution="Checked.")
    mail = Notification.objects.get(template_key="objection.resolved")
    subject, text, _html = render_notification(mail)
    assert objection.reference in subject and "dismissed" in text


def test_evidence_files_are_kept_after_the_upload_checks(client, in_publicity, reviewer):
    response = object_to(client, in_publicity, files=[SimpleUploadedFile("证据.pdf", TINY_PDF, "application/pdf"),
                                                      SimpleUploadedFile("photo.png", PNG, "image/png")])
    assert response.status_code == 200
    evidence = ObjectionEvidence.objects.order_by("pk")
    assert [e.original_name for e in evidence] == ["证据.pdf", "photo.png"]
    assert [e.content_type for e in evidence] == ["application/pdf", "image/png"]
    client.force_login(reviewer)
    page = client.get(reverse("review:detail", args=[in_publicity.pk])).content.decode()
    url = reverse("review:objection_evidence", args=[evidence[0].pk])
    assert url in page and Objection.objects.get().reference in page
    download = client.get(url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == TINY_PDF


def test_evidence_that_fails_the_checks_is_refused_and_nothing_is_kept(client, in_publicity):
    fake = SimpleUploadedFile("evidence.pdf", b"MZ\x90\x00 not a pdf at all" * 20, "application/pdf")
    response = object_to(client, in_publicity, files=[fake], language="en")
    assert response.status_code == 400
    assert "Only PDF, JPEG or PNG" in response.content.decode()
    assert not Objection.objects.exists() and not ObjectionEvidence.objects.exists()


def test_the_virus_scanner_hook_refuses_a_file(client, in_publicity, settings):
    settings.UPLOAD_SCANNER = "tests.test_publicity_objections.always_infected"
    response = object_to(client, in_publicity, files=[SimpleUploadedFile("a.pdf", TINY_PDF, "application/pdf")],
                         language="en")
    assert response.status_code == 400 and "EICAR-Test" in response.content.decode()
    assert not Objection.objects.exists()


def always_infected(uploaded):
    return "EICAR-Test"


def test_too_many_evidence_files_are_refused(client, in_publicity):
    files = [SimpleUploadedFile(f"{i}.pdf", TINY_PDF, "application/pdf") for i in range(6)]
    assert object_to(client, in_publicity, files=files).status_code == 400
    assert not Objection.objects.exists()


def test_notice_shows_its_start_and_the_office_contact(client, in_publicity, settings):
    settings.PLAN_OFFICE_CONTACT = "计划办公室 010-87654321"
    started = Decision.objects.get(application=in_publicity, action="approve").created_at
    from django.utils import timezone

    stamp = timezone.localtime(started).strftime("%Y-%m-%d %H:%M")
    listing = client.get(reverse("publicity:list")).content.decode()
    assert stamp in listing and "010-87654321" in listing
    form_page = client.get(reverse("publicity:objection", args=[in_publicity.public_id])).content.decode()
    assert stamp in form_page and "010-87654321" in form_page
