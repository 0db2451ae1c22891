"""API v1 lists the data catalogue, the demands with their explained matches, the published cases and the
target progress; only public entries, never contacts."""

import pytest
from rest_framework.test import APIClient

from partners.models import YearTarget
from partners.services import cases
from tests.catalogue_helpers import case, dataset, demand, published

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings, reviewer, approver):
    settings.CATALOGUE_MODERATION = False
    supply = dataset(name="中文医疗问诊文本")
    need = demand(title="医疗微调数据")
    settings.CATALOGUE_MODERATION = True
    hidden = dataset(name="待审核数据")
    shown = published(case(year=2025), reviewer)
    cases.designate(approver, shown)
    draft = case(year=2025, title="草稿案例")
    YearTarget.objects.create(year=2025, applications=10, solutions=10)
    return {"supply": supply, "need": need, "hidden": hidden, "case": shown, "draft": draft}


def test_the_api_lists_the_catalogue_demands_cases_and_target_progress(world):
    client = APIClient()
    datasets = client.get("/api/v1/datasets/").json()["results"]
    assert [d["id"] for d in datasets] == [str(world["supply"].public_id)]
    assert "contact" not in datasets[0] and "email" not in str(datasets[0])
    assert client.get(f"/api/v1/datasets/{world['hidden'].public_id}/").status_code == 404
    assert client.get("/api/v1/datasets/", {"q": "问诊"}).json()["results"][0]["name"] == "中文医疗问诊文本"
    assert client.get("/api/v1/datasets/", {"modality": "image"}).json()["results"] == []

    demands = client.get("/api/v1/demands/").json()["results"]
    assert [d["id"] for d in demands] == [str(world["need"].public_id)]
    matches = client.get(f"/api/v1/demands/{world['need'].public_id}/matches/").json()
    assert matches[0]["dataset"]["id"] == str(world["supply"].public_id) and matches[0]["score"] == 100
    assert [c["code"] for c in matches[0]["criteria"]] == ["modality", "industry", "scale", "licence", "access",
                                                           "languages"]

    listed = client.get("/api/v1/cases/").json()["results"]
    assert [c["id"] for c in listed] == [str(world["case"].public_id)]
    assert client.get("/api/v1/cases/", {"year": 2026}).json()["results"] == []
    assert client.get("/api/v1/cases/", {"year": "x"}).status_code == 400

    progress = client.get("/api/v1/target-progress/", {"year": 2025}).json()
    assert {(p["kind"], p["count"], p["target"]) for p in progress} == {("application", 1, 10), ("solution", 0, 10)}
    assert client.get("/api/v1/target-progress/", {"year": "20x5"}).status_code == 400
