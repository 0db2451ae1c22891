"""Possible duplicates of an organisation: the same credit or organisation code, or a very similar name."""

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from django.db.models import Q
from django.db.models.functions import Substr
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _

from ..enums import ApplicationState
from ..models import Application, Organization
from .directory import contains_any

SIMILARITY = 0.85
CANDIDATE_LIMIT = 50
# Words every company name carries; they make different companies look alike.
_NOISE = re.compile(
    r"(北京市|北京|中国|有限责任公司|股份有限公司|有限公司|集团|分公司|公司|科技|技术|"
    r"co\.?|ltd\.?|limited|inc\.?|corp\.?|company|technology|beijing|china)",
    re.IGNORECASE,
)
_PUNCT = re.compile(r"[\s\(\)（）·,.，。\-_&'\"]+")


@dataclass(frozen=True)
class PossibleDuplicate:
    organization: Organization | None
    application: Application | None
    reason: object
    score: float = 1.0


def normalize_name(name: str) -> str:
    """The distinctive part of a name: without places, legal forms, filler words and punctuation."""
    core = _PUNCT.sub("", _NOISE.sub("", name or ""))
    return core.lower() or _PUNCT.sub("", (name or "").lower())


def similarity(a: str, b: str) -> float:
    na, nb = normalize_name(a), normalize_name(b)
    if not na or not nb:
        return 0.0
    if na == nb:
        return 1.0
    return SequenceMatcher(None, na, nb).ratio()


def same_organisation_code(org_code):
    """Organisations whose credit code holds this organisation code at its place (positions 9-17), looked up in the
    expression index organization_code_idx (a LIKE '%code%' read every organisation)."""
    return Exact(Substr("credit_code", 9, 9), org_code)


def _candidates_by_name(organization):
    core = normalize_name(organization.name)
    if len(core) < 2:
        return Organization.objects.none()
    # A few fragments of the distinctive core narrow the candidates before the exact comparison.
    size = 2 if len(core) <= 4 else 3
    fragments = {core[i:i + size] for i in range(0, max(len(core) - size + 1, 1), size)}
    # One condition over every fragment, served by the bigram index on PostgreSQL.
    query = contains_any("name", sorted(fragments)[:6])
    return Organization.objects.filter(query).exclude(pk=organization.pk).only("pk", "name", "credit_code")[
        :CANDIDATE_LIMIT]


def possible_duplicates(organization, application=None, history=None) -> list[PossibleDuplicate]:
    """What a reviewer should look at before deciding: warnings, most certain first. `history`: the organisation's
    applications other than `application` and its drafts, when the caller has read them already."""
    found: list[PossibleDuplicate] = []
    closed = [ApplicationState.DRAFT, *ApplicationState.final_states()]
    if history is not None:
        others = sorted((a for a in history if a.state not in closed), key=lambda a: a.pk)[:10]
    else:
        others = Application.objects.filter(organization=organization).exclude(state__in=closed)
        if application is not None:
            others = others.exclude(pk=application.pk)
        others = others.order_by("pk")[:10]
    for other in others:
        found.append(PossibleDuplicate(organization, other, _("Another open application of the same organisation")))
    code = organization.credit_code or ""
    seen = {organization.pk}
    if len(code) == 18:
        # Positions 9-17 are the organisation code (GB 11714): the same body registered twice.
        org_code = code[8:17]
        for org in (Organization.objects.filter(same_organisation_code(org_code)).exclude(pk=organization.pk)
                    .only("pk", "name", "credit_code")[:20]):
            found.append(PossibleDuplicate(org, None, _("The same organisation code inside the credit code")))
            seen.add(org.pk)
    scored = []
    for org in _candidates_by_name(organization):
        if org.pk in seen:
            continue
        score = similarity(organization.name, org.name)
        if score >= SIMILARITY:
            scored.append(PossibleDuplicate(org, None, _("A very similar name"), round(score, 2)))
    found.extend(sorted(scored, key=lambda d: -d.score)[:10])
    return found


def shared_contacts(organization, limit=20) -> list[PossibleDuplicate]:
    """Other organisations reached through the same phone or e-mail (an application's contact, or a person
    acting for both): one person registering several organisations is worth a look."""
    from ..models import User

    own = Application.objects.filter(organization=organization)
    phones = {p for p in own.values_list("contact_phone", flat=True) if p}
    emails = {e.lower() for e in own.values_list("contact_email", flat=True) if e}
    people = User.objects.filter(org_links__organization=organization)
    phones |= {p for p in people.values_list("phone", flat=True) if p}
    found, seen = [], {organization.pk}
    if phones or emails:
        match = Q(contact_phone__in=phones) | Q(contact_email__in=emails)
        for application in (Application.objects.filter(match).exclude(organization=organization)
                            .select_related("organization").order_by("pk")[:limit]):
            if application.organization_id not in seen:
                seen.add(application.organization_id)
                found.append(PossibleDuplicate(application.organization, application,
                                               _("The same contact phone or e-mail")))
    for org in (Organization.objects.filter(memberships_of_people__user__in=people).exclude(pk__in=seen)
                .distinct().only("pk", "name", "credit_code")[:limit]):
        seen.add(org.pk)
        found.append(PossibleDuplicate(org, None, _("The same person acts for it")))
    return found
