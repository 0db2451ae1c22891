"""The applicant portal: membership number, decision letters (page and PDF) and the public notice period."""

import io

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from partners.enums import ApplicationState
from partners.models import Decision
from partners.services.letter_pdf import letter_pdf, wrap
from partners.services.membership import admit_due_applications
from tests.factories import advance


@pytest.fixture
def in_publicity(submitted, reviewer, approver):
    return advance(submitted, ApplicationState.PUBLICITY, reviewer=reviewer, approver=approver)


def page(client, user, application):
    client.force_login(user)
    response = client.get(reverse("portal:application", args=[application.pk]))
    assert response.status_code == 200
    return response


def test_publicity_period_shows_start_and_end(client, applicant, in_publicity):
    response = page(client, applicant, in_publicity)
    start, end = response.context["publicity"]
    approve = Decision.objects.get(application=in_publicity, action="approve")
    assert start == approve.created_at and end == in_publicity.publicity_ends_at
    text = response.content.decode()
    assert timezone.localtime(start).strftime("%Y-%m-%d %H:%M") in text
    assert timezone.localtime(end).strftime("%Y-%m-%d %H:%M") in text


def test_no_publicity_period_before_approval(client, applicant, submitted):
    assert page(client, applicant, submitted).context["publicity"] is None


def test_admitted_application_shows_membership_number_and_both_letters(client, applicant, in_publicity):
    admit_due_applications(now=timezone.now() + timezone.timedelta(days=settings.PUBLICITY_DAYS + 1))
    in_publicity.refresh_from_db()
    assert in_publicity.state == ApplicationState.ADMITTED
    response = page(client, applicant, in_publicity)
    number = in_publicity.organization.membership.number
    assert number in response.content.decode()
    actions = {d.action for d in response.context["letters"]}
    assert actions == {"approve", "admit"}
    assert response.context["publicity"] is not None


def test_letter_page_and_pdf_carry_the_chinese_letter(client, applicant, in_publicity):
    decision = Decision.objects.get(application=in_publicity, action="approve")
    client.force_login(applicant)
    response = client.get(reverse("portal:letter", args=[in_publicity.pk, decision.pk]))
    assert response.status_code == 200
    assert decision.letter_subject in response.content.decode()
    response = client.get(reverse("portal:letter_pdf", args=[in_publicity.pk, decision.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    font = fonts["/F1"].get_object()
    assert font["/BaseFont"] == "/STSong-Light" and font["/Encoding"] == "/UniGB-UCS2-H"
    text = "".join(p.extract_text() for p in reader.pages).replace("\n", "")
    assert in_publicity.organization.name in text
    assert "公示期" in text


def test_another_organisation_cannot_read_the_letter(client, other_applicant, in_publicity):
    decision = Decision.objects.get(application=in_publicity, action="approve")
    client.force_login(other_applicant)
    for name in ("portal:letter", "portal:letter_pdf"):
        assert client.get(reverse(name, args=[in_publicity.pk, decision.pk])).status_code == 404


def test_internal_decisions_are_not_letters(client, applicant, in_publicity):
    internal = Decision.objects.create(application=in_publicity, level=Decision.Level.FIRST, action="pass_to_final",
                                       letter_subject="x", letter_body="internal")
    client.force_login(applicant)
    assert client.get(reverse("portal:letter", args=[in_publicity.pk, internal.pk])).status_code == 404


def test_long_letters_wrap_and_continue_on_further_pages():
    body = "经初审、复审，贵单位申请的数据伙伴已审核通过。" * 200
    assert all(len(line) <= 40 for line in wrap(body, 12))
    reader = PdfReader(io.BytesIO(letter_pdf("标题", body)))
    assert len(reader.pages) > 1
