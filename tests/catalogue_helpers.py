"""Data sets, demands and cases built through the services, for the catalogue and showcase tests."""

from partners.enums import AccessTerms, DataLicence, DataModality, SizeUnit, TrainingStage
from partners.models import Case, DataDemand, DataSet
from partners.services import cases, catalogue
from tests.factories import OrganizationFactory


def owner_of(organization):
    return organization.owner


def dataset(organization=None, *, publish=True, **fields):
    organization = organization or OrganizationFactory()
    values = {"name": "中文医疗问诊文本", "description": "脱敏的医患对话", "modality": DataModality.TEXT,
              "industry_id": "health", "size_value": 1_000_000, "size_unit": SizeUnit.TOKENS, "languages": ["zh"],
              "licence": DataLicence.COMMERCIAL, "access_terms": AccessTerms.OPEN}
    values.update(fields)
    listing = catalogue.publish(organization.owner, DataSet(organization=organization, **values))
    return listing


def demand(organization=None, **fields):
    organization = organization or OrganizationFactory()
    values = {"title": "医疗大模型微调数据", "description": "需要中文问诊对话", "modality": DataModality.TEXT,
              "industry_id": "health", "size_value": 1_000_000, "size_unit": SizeUnit.TOKENS, "languages": ["zh"],
              "stage": TrainingStage.FINETUNING, "needs_commercial_use": True, "accepted_access_terms": []}
    values.update(fields)
    return catalogue.publish(organization.owner, DataDemand(organization=organization, **values))


def case(organization=None, *, kind="application", year=2025, **fields):
    organization = organization or OrganizationFactory()
    values = {"title": "智慧医疗问诊标杆", "scenario": "三甲医院预问诊", "results": "问诊效率提升30%",
              "industry_id": "health", "year": year, "kind": kind}
    values.update(fields)
    return cases.create_case(organization.owner, Case(organization=organization, **values))


def published(case_, reviewer):
    owner = case_.organization.owner
    cases.fire(owner, case_, "submit")
    cases.fire(reviewer, case_, "start_review")
    return cases.fire(reviewer, case_, "publish")
