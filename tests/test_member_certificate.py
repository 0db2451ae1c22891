"""The membership certificate: a PDF with the member's Chinese name, types, number and date, whose QR code leads
to the public page saying valid, suspended or revoked in both languages."""

import io

import pytest
from django.conf import settings
from django.urls import reverse
from pypdf import PdfReader

from partners.models import MemberService
from partners.services import membership as membership_services
from partners.services.certificate import certificate_pdf, verification_url
from tests.factories import english_client, make_staff
from tests.public_fixtures import make_member

pytestmark = pytest.mark.django_db


def decode_qr(pdf_bytes) -> list[str]:
    """Every QR code in the PDF's images, read by zxing-cpp from the image as the PDF holds it."""
    import zxingcpp

    texts = []
    for page in PdfReader(io.BytesIO(pdf_bytes)).pages:
        for image in page.images:
            texts += [r.text for r in zxingcpp.read_barcodes(image.image.convert("L"))
                      if r.format == zxingcpp.BarcodeFormat.QRCode]
    return texts


@pytest.fixture
def member(db):
    return make_member("北京证书智能科技有限公司", types=("model", "data"), name_en="Beijing Certificate AI Ltd")


def test_certificate_has_the_chinese_name_and_a_qr_code_to_the_verification_page(member):
    data = certificate_pdf(member)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "北京证书智能科技有限公司" in text
    assert "入库证书" in text and member.number in text
    assert "数据伙伴" in text and "模型伙伴" in text
    service = MemberService.objects.get(membership=member)
    url = verification_url(service)
    assert url.startswith(settings.SITE_URL) and str(service.certificate_token) in url
    assert decode_qr(data) == [url]


def test_verification_page_says_valid_suspended_or_revoked_in_both_languages(member, client):
    approver = make_staff("approver", email="cert-approver@example.com")
    service = MemberService.objects.get_or_create(membership=member)[0]
    path = reverse("public:certificate", args=[service.certificate_token])
    page = client.get(path).content.decode()
    assert 'data-status="valid"' in page and "有效" in page and "Valid." in page
    assert "北京证书智能科技有限公司" in page and member.number in page
    membership_services.suspend(approver, member, "未按期报送年度更新")
    page = client.get(path).content.decode()
    assert 'data-status="suspended"' in page and "已暂停" in page and "Suspended." in page
    # The certificate drawn now says so too.
    member.refresh_from_db()
    text = PdfReader(io.BytesIO(certificate_pdf(member))).pages[0].extract_text()
    assert "已暂停" in text
    membership_services.revoke(approver, member, "违规")
    page = client.get(path).content.decode()
    assert 'data-status="revoked"' in page and "已撤销" in page and "Revoked." in page
    # An unknown token is a 404 that says so, in both languages.
    import uuid

    unknown = client.get(reverse("public:certificate", args=[uuid.uuid4()]))
    assert unknown.status_code == 404 and "No such certificate" in unknown.content.decode()
    assert client.get("/certificates/not-a-token/").status_code == 404


def test_certificate_downloads(member):
    staff = english_client(make_staff("service_officer", email="cert-officer@example.com"))
    response = staff.get(reverse("review:member_certificate", args=[member.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    owner = english_client(member.organization.owner)
    response = owner.get(reverse("portal:member_certificate", args=[member.organization_id]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    stranger = english_client(make_member("北京别的公司").organization.owner)
    assert stranger.get(reverse("portal:member_certificate", args=[member.organization_id])).status_code == 404
