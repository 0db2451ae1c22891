"""Matching data sets to a demand: each criterion gives points with its reason, so every score explains itself.

Criteria and their most points (100 in all): modality 30, industry 25, scale 15, licence 15, access terms 10,
languages 5. A data set whose licence forbids the use the demand needs still appears, ranked low, with the
reason, so the demand's owner sees why it does not fit.
"""

from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _g

from ..enums import AccessTerms, DataLanguage, DataLicence, DataModality, SizeUnit
from .catalogue import public_datasets, public_demands

CANDIDATES = 500  # the newest public entries a match looks at; enough for a catalogue of this plan's size
WEIGHTS = {"modality": 30, "industry": 25, "scale": 15, "licence": 15, "access": 10, "languages": 5}


@dataclass
class Criterion:
    code: str
    points: int
    maximum: int
    reason: str


@dataclass
class Match:
    dataset: object
    demand: object
    criteria: list = field(default_factory=list)

    @property
    def score(self) -> int:
        return sum(c.points for c in self.criteria)

    @property
    def explanation(self) -> list[str]:
        return [f"{c.reason} (+{c.points}/{c.maximum})" for c in self.criteria]


def _label(choices, code):
    return str(choices(code).label) if code in choices.values else code


def _modality(dataset, demand):
    w = WEIGHTS["modality"]
    if dataset.modality == demand.modality:
        return Criterion("modality", w, w, _g("Same modality: %(m)s") % {"m": _label(DataModality, demand.modality)})
    if dataset.modality == DataModality.MULTIMODAL or demand.modality == DataModality.MULTIMODAL:
        return Criterion("modality", w // 2, w, _g("Multimodal data covers part of the need"))
    if dataset.modality == DataModality.SYNTHETIC:
        return Criterion("modality", w // 3, w, _g("Synthetic data may stand in for %(m)s") % {
            "m": _label(DataModality, demand.modality)})
    return Criterion("modality", 0, w, _g("Different modality: %(m)s") % {"m": _label(DataModality, dataset.modality)})


def _industry(dataset, demand):
    w = WEIGHTS["industry"]
    if demand.industry_id is None:
        return Criterion("industry", w // 2, w, _g("The demand names no industry"))
    if dataset.industry_id == demand.industry_id:
        return Criterion("industry", w, w, _g("Same industry: %(i)s") % {"i": dataset.industry})
    if dataset.industry_id is None:
        return Criterion("industry", w // 3, w, _g("General data, not specific to an industry"))
    return Criterion("industry", 0, w, _g("Another industry: %(i)s") % {"i": dataset.industry})


def _scale(dataset, demand):
    w = WEIGHTS["scale"]
    unit = _label(SizeUnit, demand.size_unit)
    if not demand.size_value:
        return Criterion("scale", w, w, _g("The demand states no size"))
    if not dataset.size_value:
        return Criterion("scale", 0, w, _g("The data set states no size"))
    if dataset.size_unit != demand.size_unit:
        return Criterion("scale", 0, w, _g("Size in another unit (%(a)s, the demand counts %(b)s)") % {
            "a": _label(SizeUnit, dataset.size_unit), "b": unit})
    if dataset.size_value >= demand.size_value:
        return Criterion("scale", w, w, _g("Large enough: %(have)s of %(need)s %(unit)s") % {
            "have": f"{dataset.size_value:,}", "need": f"{demand.size_value:,}", "unit": unit})
    points = int(w * dataset.size_value / demand.size_value)
    return Criterion("scale", points, w, _g("Covers %(pct)d%% of the size needed (%(have)s of %(need)s %(unit)s)") % {
        "pct": int(100 * dataset.size_value / demand.size_value), "have": f"{dataset.size_value:,}",
        "need": f"{demand.size_value:,}", "unit": unit})


def _licence(dataset, demand):
    w = WEIGHTS["licence"]
    if dataset.licence == DataLicence.COMMERCIAL:
        return Criterion("licence", w, w, _g("The licence allows commercial use"))
    if dataset.licence == DataLicence.BY_AGREEMENT:
        return Criterion("licence", w * 2 // 3, w, _g("Licence terms by agreement"))
    if demand.needs_commercial_use:
        return Criterion("licence", 0, w, _g("Non-commercial licence; the demand needs commercial use"))
    return Criterion("licence", w, w, _g("Non-commercial licence is enough for this demand"))


def _access(dataset, demand):
    w = WEIGHTS["access"]
    terms = _label(AccessTerms, dataset.access_terms)
    if not demand.accepted_access_terms:
        return Criterion("access", w, w, _g("Any access terms are acceptable (%(t)s)") % {"t": terms})
    if dataset.access_terms in demand.accepted_access_terms:
        return Criterion("access", w, w, _g("Acceptable access terms: %(t)s") % {"t": terms})
    return Criterion("access", 0, w, _g("Access terms not among those acceptable: %(t)s") % {"t": terms})


def _languages(dataset, demand):
    w = WEIGHTS["languages"]
    wanted = set(demand.languages or [])
    if not wanted:
        return Criterion("languages", w, w, _g("The demand names no language"))
    shared = wanted & set(dataset.languages or [])
    points = round(w * len(shared) / len(wanted))
    if not shared:
        return Criterion("languages", 0, w, _g("None of the languages needed"))
    names = ", ".join(_label(DataLanguage, code) for code in DataLanguage.values if code in shared)
    return Criterion("languages", points, w, _g("Languages in common: %(l)s") % {"l": names})


CRITERIA = (_modality, _industry, _scale, _licence, _access, _languages)


def score(dataset, demand) -> Match:
    return Match(dataset, demand, [criterion(dataset, demand) for criterion in CRITERIA])


def _ranked(matches, limit):
    # Highest score first; ties go to the newer entry, so the order is the same on every call.
    return sorted(matches, key=lambda m: (-m.score, -m.dataset.pk, -m.demand.pk))[:limit]


def datasets_for(demand, limit=20, minimum=1) -> list[Match]:
    """The public data sets that fit a demand, best first, each with its explained score."""
    near = Q(modality=demand.modality) | Q(modality__in=[DataModality.MULTIMODAL, DataModality.SYNTHETIC])
    if demand.modality == DataModality.MULTIMODAL:
        near = Q()
    if demand.industry_id:
        near |= Q(industry_id=demand.industry_id)
    candidates = (public_datasets().filter(near).exclude(organization_id=demand.organization_id)
                  .select_related("industry", "organization").order_by("-id")[:CANDIDATES])
    return _ranked([m for m in (score(d, demand) for d in candidates) if m.score >= minimum], limit)


def demands_for(dataset, limit=20, minimum=1) -> list[Match]:
    """The public demands a data set fits, best first."""
    near = Q(modality=dataset.modality) | Q(modality=DataModality.MULTIMODAL)
    if dataset.modality in (DataModality.MULTIMODAL, DataModality.SYNTHETIC):
        near = Q()
    if dataset.industry_id:
        near |= Q(industry_id=dataset.industry_id)
    candidates = (public_demands().filter(near).exclude(organization_id=dataset.organization_id)
                  .select_related("industry", "organization").order_by("-id")[:CANDIDATES])
    matches = [score(dataset, d) for d in candidates]
    return sorted([m for m in matches if m.score >= minimum], key=lambda m: (-m.score, -m.demand.pk))[:limit]
