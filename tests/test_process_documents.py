"""The portal's document pages of verification cases and subsidy claims, one set of pages for both: the owner
uploads, downloads and deletes; every check holds (size, type sniffed and parsed, whose object, the state)."""

from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from partners.models import VerificationCase
from partners.services import organizations as org_services
from partners.services import subsidy_claims
from partners.services import verification as verification_services
from partners.views import portal_subsidy, portal_verification
from partners.views.process_documents import ProcessDocuments
from tests.factories import TINY_PDF, UserFactory, english_client, unique_credit_code
from tests.subsidy_helpers import budget, facts, rules, staff_team, standing_pairing

pytestmark = pytest.mark.django_db


@dataclass
class Subject:
    """One process's object, its owner, its document pages and the way its owner takes it out of draft."""

    owner: object
    obj: object
    documents: ProcessDocuments
    url_prefix: str  # "portal:verification_document" or "portal:subsidy_document"
    kind: str
    withdraw: object

    def url(self, suffix="", document=None):
        args = [self.obj.pk] if document is None else [self.obj.pk, document.pk]
        return reverse(f"{self.url_prefix}{suffix}", args=args)

    def stored(self):
        return list(self.documents.document_model.objects.filter(**{self.documents.owner_field: self.obj}))


def verification_case():
    person = UserFactory()
    organization = org_services.create_organization(person, unique_credit_code(), "北京文件核验科技有限公司")
    case = VerificationCase.objects.get(organization=organization, claimant=person)
    return Subject(person, case, portal_verification.DOCUMENTS, "portal:verification_document", "licence",
                   lambda: verification_services.fire(person, case, "withdraw"))


def subsidy_claim():
    rules()
    budget()
    pairing = standing_pairing(staff_team())
    person = pairing.model_partner.owner
    claim = subsidy_claims.create_claim(person, pairing, facts())
    return Subject(person, claim, portal_subsidy.DOCUMENTS, "portal:subsidy_document", "contract",
                   lambda: subsidy_claims.fire(person, claim, "withdraw"))


SUBJECTS = {"verification": verification_case, "subsidy_claim": subsidy_claim}


@pytest.fixture(params=sorted(SUBJECTS))
def subject(request):
    return SUBJECTS[request.param]()


def pdf(name="document.pdf", content=TINY_PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_the_owner_uploads_downloads_and_deletes_a_document(subject):
    client = english_client(subject.owner)
    assert client.get(subject.url("_add")).status_code == 405
    response = client.post(subject.url("_add"), {"kind": subject.kind, "file": pdf("营业执照.pdf")})
    assert response.status_code == 302
    [document] = subject.stored()
    assert document.original_name == "营业执照.pdf" and document.content_type == "application/pdf"

    download = client.get(subject.url(document=document))
    assert download.status_code == 200
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in download["Content-Disposition"]
    assert b"".join(download.streaming_content) == TINY_PDF

    assert client.get(subject.url("_delete", document)).status_code == 405
    assert client.post(subject.url("_delete", document)).status_code == 302
    assert subject.stored() == []


# Each problem: the upload, and what the refusal says.
PROBLEMS = {
    # The limit is set just below the file's size: the size-limit handler stops storing it at the limit.
    "too_large": (pdf, "The file is larger than allowed."),
    "not_a_document": (lambda: SimpleUploadedFile("notes.pdf", b"just some text, no PDF at all"),
                       "Only PDF, JPEG or PNG files are accepted"),
    "name_says_otherwise": (lambda: pdf("scan.png"), "but its name"),
    "damaged": (lambda: pdf(content=TINY_PDF[: len(TINY_PDF) // 2]), "The PDF could not be read"),
}


@pytest.mark.parametrize("problem", sorted(PROBLEMS))
def test_an_upload_failing_a_check_is_refused_with_a_message(subject, problem, settings):
    if problem == "too_large":
        settings.ATTACHMENT_MAX_BYTES = len(TINY_PDF) - 1
    upload, message = PROBLEMS[problem]
    response = english_client(subject.owner).post(subject.url("_add"), {"kind": subject.kind, "file": upload()})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert subject.stored() == []


def test_an_unknown_kind_of_document_is_a_form_error(subject):
    response = english_client(subject.owner).post(subject.url("_add"), {"kind": "passport", "file": pdf()})
    assert response.status_code == 400
    assert subject.stored() == []


def test_someone_else_is_told_nothing(subject):
    english_client(subject.owner).post(subject.url("_add"), {"kind": subject.kind, "file": pdf()})
    [document] = subject.stored()
    stranger = english_client(UserFactory())
    assert stranger.post(subject.url("_add"), {"kind": subject.kind, "file": pdf()}).status_code == 404
    assert stranger.get(subject.url(document=document)).status_code == 404
    assert stranger.post(subject.url("_delete", document)).status_code == 404
    assert subject.stored() == [document]


def test_out_of_draft_nothing_is_added_or_deleted(subject):
    owner = english_client(subject.owner)
    owner.post(subject.url("_add"), {"kind": subject.kind, "file": pdf()})
    [document] = subject.stored()
    subject.withdraw()
    refused = owner.post(subject.url("_add"), {"kind": subject.kind, "file": pdf("second.pdf")})
    assert refused.status_code == 400
    assert owner.post(subject.url("_delete", document), follow=True).status_code == 200
    assert subject.stored() == [document]
    # The document stays the owner's to download.
    assert owner.get(subject.url(document=document)).status_code == 200


def test_an_upload_without_the_form_token_is_refused(subject):
    """The upload view installs its size limit before the CSRF check reads the body; the check still runs."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(subject.owner)
    response = client.post(subject.url("_add"), {"kind": subject.kind, "file": pdf()})
    assert response.status_code == 403
    assert subject.stored() == []
