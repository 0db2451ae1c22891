"""The data catalogue: entries are public only once staff accept them (when configured), staff feature them,
matching ranks data sets against a demand with an explained score, and search uses the bigram index."""

import pytest
from django.db import connection
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from partners.enums import (
    AccessTerms,
    DataLanguage,
    DataLicence,
    DataModality,
    Moderation,
    SizeUnit,
    TrainingStage,
)
from partners.models import AuditEvent, DataDemand, DataSet
from partners.services import catalogue, matching
from partners.services.applications import ServiceError
from tests.catalogue_helpers import dataset, demand
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


def test_entries_wait_for_moderation_then_are_public(reviewer):
    entry = dataset()
    assert entry.moderation == Moderation.PENDING
    assert not catalogue.public_datasets().filter(pk=entry.pk).exists()
    catalogue.moderate(reviewer, entry, "accept")
    entry.refresh_from_db()
    assert entry.moderation == Moderation.PUBLISHED and entry.published_at is not None
    assert catalogue.public_datasets().filter(pk=entry.pk).exists()
    assert AuditEvent.objects.filter(action="dataset.accepted", data__dataset=entry.pk).exists()


def test_without_moderation_entries_are_public_at_once(settings):
    settings.CATALOGUE_MODERATION = False
    assert dataset().moderation == Moderation.PUBLISHED
    assert demand().moderation == Moderation.PUBLISHED


def test_rejection_needs_a_reason_and_applicants_cannot_moderate(reviewer):
    entry = dataset()
    with pytest.raises(ServiceError):
        catalogue.moderate(reviewer, entry, "reject")
    with pytest.raises(ServiceError):
        catalogue.moderate(entry.organization.owner, entry, "accept")
    catalogue.moderate(reviewer, entry, "reject", note="样本描述不足")
    entry.refresh_from_db()
    assert entry.moderation == Moderation.REJECTED


def test_only_public_entries_are_featured_and_featured_come_first(reviewer, settings):
    settings.CATALOGUE_MODERATION = False
    first, second = dataset(), dataset()
    assert list(catalogue.public_datasets())[0] == second
    catalogue.feature(reviewer, first)
    assert list(catalogue.public_datasets())[0] == first
    catalogue.withdraw(first.organization.owner, first)
    with pytest.raises(ServiceError):
        catalogue.feature(reviewer, first)


def test_unknown_codes_are_refused():
    with pytest.raises(ServiceError):
        dataset(languages=["klingon"])
    with pytest.raises(ServiceError):
        demand(budget_min=10, budget_max=5)


def test_matching_ranks_a_constructed_set_in_the_expected_order_and_explains_it(settings):
    settings.CATALOGUE_MODERATION = False
    need = demand(modality=DataModality.TEXT, industry_id="health", size_value=1_000_000,
                  size_unit=SizeUnit.TOKENS, languages=["zh"], needs_commercial_use=True,
                  accepted_access_terms=[AccessTerms.OPEN, AccessTerms.PAID])
    perfect = dataset(name="perfect", modality=DataModality.TEXT, industry_id="health", size_value=2_000_000,
                      languages=["zh", "en"], licence=DataLicence.COMMERCIAL, access_terms=AccessTerms.OPEN)
    half_size = dataset(name="half size", modality=DataModality.TEXT, industry_id="health", size_value=500_000,
                        languages=["zh"], licence=DataLicence.COMMERCIAL, access_terms=AccessTerms.PAID)
    other_industry = dataset(name="finance", modality=DataModality.TEXT, industry_id="finance",
                             size_value=5_000_000, languages=["zh"], licence=DataLicence.COMMERCIAL,
                             access_terms=AccessTerms.OPEN)
    non_commercial = dataset(name="non-commercial", modality=DataModality.TEXT, industry_id="health",
                             size_value=5_000_000, languages=["en"], licence=DataLicence.NON_COMMERCIAL,
                             access_terms=AccessTerms.EXCHANGE)
    images = dataset(name="images", modality=DataModality.IMAGE, industry_id="health", size_value=10,
                     size_unit=SizeUnit.ITEMS, languages=[], licence=DataLicence.COMMERCIAL)
    unrelated = dataset(name="unrelated", modality=DataModality.AUDIO, industry_id="finance")
    own = dataset(need.organization, name="own data")

    ranked = matching.datasets_for(need)
    names = [m.dataset.name for m in ranked]
    # 100, 30+25+7+15+10+5=92, 30+0+15+15+10+5=75, 30+25+15+0+0+0=70; the images share the industry,
    # licence and access terms only: 0+25+0+15+10+0=50.
    assert names == ["perfect", "half size", "finance", "non-commercial", "images"]
    assert [m.score for m in ranked] == [100, 92, 75, 70, 50]
    assert unrelated.name not in names and own.name not in names  # another modality and industry; own entry

    explained = {m.dataset.name: m for m in ranked}
    assert explained["half size"].explanation[2] == "Covers 50% of the size needed (500,000 of 1,000,000 Tokens) (+7/15)"
    assert "Another industry: Finance (+0/25)" in explained["finance"].explanation
    assert "Non-commercial licence; the demand needs commercial use (+0/15)" in explained["non-commercial"].explanation
    assert explained["perfect"].explanation[0] == "Same modality: Text (+30/30)"
    assert [c.code for c in explained["perfect"].criteria] == list(matching.WEIGHTS)
    assert all(sum(c.points for c in m.criteria) == m.score for m in ranked)
    # The other way round: the data set lists the demand it fits.
    assert [m.demand for m in matching.demands_for(perfect)] == [need]
    assert half_size and other_industry and non_commercial and images


def test_entries_awaiting_moderation_are_not_matched(reviewer):
    need = demand()
    candidate = dataset()
    catalogue.moderate(reviewer, need, "accept")
    assert matching.datasets_for(need) == []
    catalogue.moderate(reviewer, candidate, "accept")
    assert [m.dataset for m in matching.datasets_for(need)] == [candidate]


def test_search_finds_two_character_chinese_terms(settings):
    settings.CATALOGUE_MODERATION = False
    hit = dataset(name="中文医疗问诊文本", description="脱敏")
    dataset(name="工业质检图像", description="缺陷", modality=DataModality.IMAGE)
    assert list(catalogue.search(catalogue.public_datasets(), "问诊")) == [hit]
    assert list(catalogue.search(catalogue.public_datasets(), "脱敏")) == [hit]
    assert list(catalogue.search(catalogue.public_datasets(), "50%")) == []
    need = demand(title="金融风控数据需求")
    assert list(catalogue.search(catalogue.public_demands(), "风控")) == [need]
    with pytest.raises(ServiceError):
        catalogue.search(catalogue.public_datasets(), "长" * 101)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the bigram indexes exist on PostgreSQL only")
def test_search_plan_uses_the_bigram_index(settings):
    settings.CATALOGUE_MODERATION = False
    for i in range(3):
        dataset(name=f"中文医疗问诊文本{i}", organization=OrganizationFactory())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE partners_dataset, partners_datademand")
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = catalogue.search(DataSet.objects.all(), "问诊").explain()
    assert "dataset_text_bigrams" in plan
    plan = catalogue.search(DataDemand.objects.all(), "问诊").explain()
    assert "demand_text_bigrams" in plan


INDUSTRIES = st.sampled_from([None, "health", "finance", "industry"])
SIZES = st.one_of(st.none(), st.integers(min_value=1, max_value=10**12))
LANGUAGES = st.lists(st.sampled_from(DataLanguage.values), unique=True, max_size=3)


@hypothesis_settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(modality=st.sampled_from(DataModality.values), wanted=st.sampled_from(DataModality.values),
       industry=INDUSTRIES, needed_industry=INDUSTRIES, size=SIZES, needed=SIZES,
       unit=st.sampled_from(SizeUnit.values), needed_unit=st.sampled_from(SizeUnit.values),
       languages=LANGUAGES, needed_languages=LANGUAGES, licence=st.sampled_from(DataLicence.values),
       commercial=st.booleans(), access=st.sampled_from(AccessTerms.values),
       acceptable=st.lists(st.sampled_from(AccessTerms.values), unique=True))
def test_every_score_is_the_sum_of_its_explained_criteria_within_bounds(
        modality, wanted, industry, needed_industry, size, needed, unit, needed_unit, languages, needed_languages,
        licence, commercial, access, acceptable):
    supply = DataSet(name="x", modality=modality, industry_id=industry, size_value=size, size_unit=unit,
                     languages=languages, licence=licence, access_terms=access)
    need = DataDemand(title="y", modality=wanted, industry_id=needed_industry, size_value=needed, size_unit=needed_unit,
                  languages=needed_languages, stage=TrainingStage.FINETUNING, needs_commercial_use=commercial,
                  accepted_access_terms=acceptable)
    match = matching.score(supply, need)
    assert [c.code for c in match.criteria] == list(matching.WEIGHTS)
    assert all(0 <= c.points <= c.maximum == matching.WEIGHTS[c.code] and c.reason for c in match.criteria)
    assert 0 <= match.score <= 100 == sum(matching.WEIGHTS.values())
    assert len(match.explanation) == len(matching.WEIGHTS)
    # A data set that is exactly what the demand asks for scores full marks.
    twin = DataSet(name="z", modality=wanted, industry_id=needed_industry, size_value=needed, size_unit=needed_unit,
                   languages=needed_languages, licence=DataLicence.COMMERCIAL, access_terms=(acceptable or [access])[0])
    if needed_industry is not None and needed is not None:
        assert matching.score(twin, need).score == 100
