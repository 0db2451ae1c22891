"""Members change and withdraw their own catalogue entries on the web: only the organisation's people, a change of
a public entry goes back to moderation when the plan office moderates, and a withdrawn entry leaves the public
lists, matching and the API."""

import pytest
from rest_framework.test import APIClient

from partners.enums import Moderation, OrgRole
from partners.models import AuditEvent, DataSet, OrganizationMember
from partners.services import catalogue, matching
from partners.services.applications import ServiceError
from tests.catalogue_helpers import dataset, demand
from tests.factories import OrganizationFactory, UserFactory, english_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_login_lockout(settings):
    settings.AXES_ENABLED = False


def dataset_fields(entry, **changes):
    fields = {"name": entry.name, "description": entry.description, "modality": entry.modality,
              "industry": entry.industry_id, "size_value": str(entry.size_value), "size_unit": entry.size_unit,
              "languages": entry.languages, "licence": entry.licence, "access_terms": entry.access_terms,
              "update_frequency": entry.update_frequency}
    fields.update(changes)
    return fields


def test_the_owner_changes_a_public_entry_and_it_goes_back_to_moderation(settings):
    settings.CATALOGUE_MODERATION = False
    entry = dataset(name="中文医疗问诊文本")
    assert entry.moderation == Moderation.PUBLISHED
    settings.CATALOGUE_MODERATION = True
    web = english_client(entry.organization.owner)
    page = web.get(f"/data/sets/{entry.public_id}/").content.decode()
    assert f"/portal/catalogue/dataset/{entry.public_id}/edit/" in page
    assert web.get(f"/portal/catalogue/dataset/{entry.public_id}/edit/").status_code == 200
    response = web.post(f"/portal/catalogue/dataset/{entry.public_id}/edit/",
                        dataset_fields(entry, name="中文医疗问诊文本（第二版）", size_value="3000000"))
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.name == "中文医疗问诊文本（第二版）" and entry.size_value == 3_000_000
    assert entry.moderation == Moderation.PENDING  # checked again before it is public
    assert "第二版" not in english_client().get("/data/").content.decode()
    event = AuditEvent.objects.filter(action="dataset.updated").get()
    assert event.from_state == "published" and event.to_state == "pending"
    assert sorted(event.data["fields"]) == ["name", "size_value"]


def test_without_moderation_a_change_stays_public_and_a_colleague_may_make_it(settings):
    settings.CATALOGUE_MODERATION = False
    need = demand(title="医疗微调数据")
    colleague = UserFactory()
    OrganizationMember.objects.create(organization=need.organization, user=colleague, role=OrgRole.COLLEAGUE)
    response = english_client(colleague).post(f"/portal/catalogue/demand/{need.public_id}/edit/", {
        "title": "医疗微调数据（扩充）", "modality": "text", "industry": "health", "size_value": "2000000",
        "size_unit": "tokens", "languages": ["zh"], "stage": "finetuning", "needs_commercial_use": "on"})
    assert response.status_code == 302
    need.refresh_from_db()
    assert need.title == "医疗微调数据（扩充）" and need.moderation == Moderation.PUBLISHED
    assert "医疗微调数据（扩充）" in english_client().get("/data/demands/").content.decode()


def test_bad_input_on_the_change_form_is_a_form_error(settings):
    settings.CATALOGUE_MODERATION = False
    entry = dataset()
    web = english_client(entry.organization.owner)
    response = web.post(f"/portal/catalogue/dataset/{entry.public_id}/edit/",
                        dataset_fields(entry, languages=["klingon"], size_value="-5"))
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    entry.refresh_from_db()
    assert entry.languages == ["zh"]


def test_a_rejected_entry_changed_goes_back_to_the_plan_office(settings, reviewer):
    settings.CATALOGUE_MODERATION = True
    entry = dataset()
    catalogue.moderate(reviewer, entry, "reject", note="样本描述不足")
    response = english_client(entry.organization.owner).post(
        f"/portal/catalogue/dataset/{entry.public_id}/edit/", dataset_fields(entry, description="补充了样本描述"))
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.moderation == Moderation.PENDING and entry.moderation_note == "样本描述不足"


def test_the_owner_withdraws_an_entry_after_confirming(settings):
    settings.CATALOGUE_MODERATION = False
    supply, need = dataset(name="中文医疗问诊文本"), demand(title="医疗微调数据")
    assert [m.dataset for m in matching.datasets_for(need)] == [supply]
    web = english_client(supply.organization.owner)
    confirm = web.get(f"/portal/catalogue/dataset/{supply.public_id}/withdraw/")
    assert confirm.status_code == 200 and 'data-testid="confirm-withdraw"' in confirm.content.decode()
    supply.refresh_from_db()
    assert supply.moderation == Moderation.PUBLISHED  # asking is not withdrawing

    assert web.post(f"/portal/catalogue/dataset/{supply.public_id}/withdraw/").status_code == 302
    supply.refresh_from_db()
    assert supply.moderation == Moderation.WITHDRAWN
    assert "中文医疗问诊文本" not in english_client().get("/data/").content.decode()
    assert english_client().get(f"/data/sets/{supply.public_id}/").status_code == 404
    assert matching.datasets_for(need) == []
    assert "中文医疗问诊文本" not in english_client().get(f"/data/demands/{need.public_id}/").content.decode()
    api = APIClient()
    assert api.get("/api/v1/datasets/").json()["results"] == []
    assert api.get(f"/api/v1/datasets/{supply.public_id}/").status_code == 404
    assert api.get(f"/api/v1/demands/{need.public_id}/matches/").json() == []
    # The owner still sees it among their entries, with nothing more to change.
    mine = web.get("/portal/catalogue/").content.decode()
    assert "中文医疗问诊文本" in mine and f"/portal/catalogue/dataset/{supply.public_id}/edit/" not in mine
    assert web.get(f"/portal/catalogue/dataset/{supply.public_id}/edit/").status_code == 302
    with pytest.raises(ServiceError):
        catalogue.update(supply.organization.owner, supply, ["name"])


def test_strangers_and_staff_cannot_change_or_withdraw_an_entry(settings, reviewer):
    settings.CATALOGUE_MODERATION = False
    entry = dataset(name="中文医疗问诊文本")
    stranger = OrganizationFactory().owner
    for person in (stranger, reviewer):
        web = english_client(person)
        assert web.get(f"/portal/catalogue/dataset/{entry.public_id}/edit/").status_code == 404
        assert web.post(f"/portal/catalogue/dataset/{entry.public_id}/edit/",
                        dataset_fields(entry, name="篡改")).status_code == 404
        assert web.post(f"/portal/catalogue/dataset/{entry.public_id}/withdraw/").status_code == 404
    assert "/edit/" not in english_client(stranger).get(f"/data/sets/{entry.public_id}/").content.decode()
    assert english_client().get(f"/portal/catalogue/dataset/{entry.public_id}/edit/").status_code == 302
    assert english_client(stranger).get(f"/portal/catalogue/unknown/{entry.public_id}/edit/").status_code == 404
    entry.refresh_from_db()
    assert entry.name == "中文医疗问诊文本" and entry.moderation == Moderation.PUBLISHED
    assert DataSet.objects.count() == 1
