"""Pilot cases: reviewed through the workflow engine's fire(), published on the showcase with filters, and the
yearly target progress counting exactly the designated cases of each year."""

import pytest

from partners import workflow
from partners.enums import CaseState
from partners.models import AuditEvent, Notification, YearTarget
from partners.services import cases
from partners.services.applications import ServiceError
from partners.workflow import engine
from tests.catalogue_helpers import case, published
from tests.public_fixtures import make_member

pytestmark = pytest.mark.django_db


def test_case_review_runs_through_fire(reviewer, monkeypatch):
    item = case()
    owner = item.organization.owner
    calls = []
    real_fire = engine.fire
    monkeypatch.setattr(engine, "fire", lambda *a, **k: calls.append(a[:3]) or real_fire(*a, **k))
    cases.fire(owner, item, "submit")
    with pytest.raises(engine.TransitionError):
        cases.fire(owner, item, "start_review")  # the member cannot review
    cases.fire(reviewer, item, "start_review")
    with pytest.raises(engine.MissingInput):
        cases.fire(reviewer, item, "return")
    item = cases.fire(reviewer, item, "return", reason="请补充量化效果")
    assert item.state == CaseState.RETURNED and item.return_reason == "请补充量化效果"
    cases.fire(owner, item, "resubmit")
    cases.fire(reviewer, item, "start_review")
    item = cases.fire(reviewer, item, "publish")
    assert item.state == CaseState.PUBLISHED and item.published_at is not None
    # Refused attempts go through fire() too (and are refused there).
    assert [c[2] for c in calls] == ["submit", "start_review", "start_review", "return", "return", "resubmit",
                                     "start_review", "publish"]
    assert all(c[0] == "case" for c in calls)
    assert list(AuditEvent.objects.filter(data__case=item.pk, action__startswith="case.").exclude(
        action="case.created").values_list("action", flat=True).order_by("id")) == [
        "case.submit", "case.start_review", "case.return", "case.resubmit", "case.start_review", "case.publish"]
    assert Notification.objects.filter(recipient=owner, template_key="case.decided").count() == 2
    assert "case" in workflow.PROCESSES


def test_staff_never_review_their_own_organisations_case(reviewer):
    from partners.enums import OrgRole
    from partners.models import OrganizationMember

    item = case()
    OrganizationMember.objects.create(organization=item.organization, user=reviewer, role=OrgRole.COLLEAGUE)
    cases.fire(item.organization.owner, item, "submit")
    with pytest.raises(engine.TransitionError) as refused:
        cases.fire(reviewer, item, "start_review")
    assert refused.value.code == "four_eyes"


def test_a_case_without_results_cannot_be_submitted():
    item = case(results="")
    with pytest.raises(engine.TransitionError):
        cases.fire(item.organization.owner, item, "submit")


def test_showcase_filters_by_industry_partner_type_year_and_district(reviewer):
    data_member = make_member("北京数据伙伴公司", types=("data",), district="110108").organization
    model_member = make_member("北京模型伙伴公司", types=("model",), district="110105").organization
    a = published(case(data_member, year=2025, industry_id="health"), reviewer)
    b = published(case(model_member, year=2026, industry_id="finance", kind="solution"), reviewer)
    case(model_member, year=2026)  # a draft is never on the showcase
    assert set(cases.showcase()) == {a, b}
    assert list(cases.showcase(industry="health")) == [a]
    assert list(cases.showcase(partner_type="model")) == [b]
    assert list(cases.showcase(year=2025)) == [a]
    assert list(cases.showcase(district="110105")) == [b]
    assert list(cases.showcase(kind="solution")) == [b]


def test_target_progress_counts_exactly_the_designated_cases_of_each_year(reviewer, approver, administrator):
    YearTarget.objects.create(year=2025, applications=3, solutions=10)
    designated_2025 = [published(case(year=2025), reviewer) for _ in range(2)]
    not_designated = published(case(year=2025), reviewer)
    solution_2025 = published(case(year=2025, kind="solution"), reviewer)
    designated_2026 = published(case(year=2026), reviewer)
    draft = case(year=2025)
    for item in [*designated_2025, solution_2025, designated_2026]:
        cases.designate(approver, item)
    with pytest.raises(ServiceError):
        cases.designate(approver, draft)  # only published cases count
    with pytest.raises(ServiceError):
        cases.designate(reviewer, not_designated)  # reviewers do not designate

    progress = {(p.year, p.kind): p for p in cases.target_progress()}
    assert (progress[(2025, "application")].count, progress[(2025, "application")].target) == (2, 3)
    assert (progress[(2025, "solution")].count, progress[(2025, "solution")].target) == (1, 10)
    assert (progress[(2026, "application")].count, progress[(2026, "application")].target) == (1, 10)
    assert progress[(2026, "solution")].count == 0
    assert set(cases.designated_cases(2025)) == {*designated_2025, solution_2025}

    cases.designate(approver, designated_2025[0], counts=False)
    cases.designate(approver, not_designated)
    cases.set_target(administrator, 2025, applications=2, solutions=10)
    progress = {(p.year, p.kind): p for p in cases.target_progress()}
    assert progress[(2025, "application")].count == 2 and progress[(2025, "application")].reached


def test_readme_draws_the_case_process():
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert f"```mermaid\n{engine.mermaid('case')}\n```" in readme


def test_a_case_takes_images_and_pdfs_while_prepared_and_shows_them(reviewer, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.factories import TINY_PDF, english_client

    item = case()
    owner = item.organization.owner
    web = english_client(owner)
    response = web.post(f"/showcase/{item.public_id}/media/",
                        {"file": SimpleUploadedFile("成效报告.pdf", TINY_PDF, content_type="application/pdf")})
    assert response.status_code == 302
    media = item.media.get()
    assert media.kind == "pdf" and media.original_name == "成效报告.pdf"
    web.post(f"/showcase/{item.public_id}/media/",
             {"file": SimpleUploadedFile("x.txt", b"plain text", content_type="text/plain")})
    assert item.media.count() == 1  # refused: not an image or a PDF
    url = f"/showcase/{item.public_id}/media/{media.pk}/"
    assert english_client().get(url).status_code == 404  # a draft's files are not public
    published(item, reviewer)
    download = english_client().get(url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == TINY_PDF
    with pytest.raises(ServiceError):  # published: no more changes
        cases.add_media(owner, item, SimpleUploadedFile("b.pdf", TINY_PDF, content_type="application/pdf"))


def test_a_case_shows_the_pairings_that_formed_it(reviewer, client, settings):
    from tests.subsidy_helpers import model_team, staff_team, standing_pairing

    staff = staff_team()
    team = model_team("北京灵枢医疗大模型有限公司")
    formed = standing_pairing(staff, model=team)
    standing_pairing(staff, formed=False, model=team)  # confirmed but no outcome yet: not behind a case
    item = published(case(team), reviewer)
    assert cases.linked_pairings(item) == [formed]
    page = client.get(f"/showcase/{item.public_id}/").content.decode()
    assert "本案例所依托的结对" in page or "Pairings behind this case" in page
    assert formed.scenario in page
    settings.PAIRINGS_PUBLIC = False
    assert cases.linked_pairings(item) == []
