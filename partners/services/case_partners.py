"""The partners involved in a pilot case: active members of the plan, found by name or member number, or among
the members the organisation is paired with; every choice is checked here, whatever interface sent it."""

from django.db.models import Q
from django.utils.translation import gettext as _g

from ..enums import MembershipState, PairingState
from ..models import Organization, Pairing
from .applications import ServiceError

MAX_PARTNERS = 20
SEARCH_RESULTS = 20
SEARCH_LIMIT = 100  # characters of a search term
PK_LIMIT = 2**63 - 1  # a larger "id" cannot be a row: refused as not a member, never sent to the database


def active_members():
    """Organisations that are active members of the plan: the only ones a case may name as partners."""
    return Organization.objects.filter(membership__state=MembershipState.ACTIVE)


def parse_ids(values) -> list[int]:
    """Organisation ids as sent (strings or numbers), de-duplicated in order; anything else is refused."""
    ids = []
    for value in values:
        text = str(value).strip()
        if not text.isdigit() or not 0 < int(text) <= PK_LIMIT:
            raise ServiceError(_g("Choose the partners among the plan's members."), field="partners")
        if int(text) not in ids:
            ids.append(int(text))
    if len(ids) > MAX_PARTNERS:
        raise ServiceError(_g("A case can name at most %(n)d partners.") % {"n": MAX_PARTNERS}, field="partners")
    return ids


def checked_partners(case, partner_ids) -> list:
    """The organisations behind the ids, each an active member other than the case's own organisation."""
    ids = [i for i in parse_ids(partner_ids) if i != case.organization_id]
    partners = list(active_members().filter(pk__in=ids).order_by("name"))
    if len(partners) != len(ids):
        raise ServiceError(_g("Only active members of the plan can be named as partners of a case."),
                           code="not_member", field="partners")
    return partners


def search(term, *, exclude=()):
    """Active members whose name (Chinese or English) contains the term, or whose member number it is."""
    from .directory import name_matches

    term = " ".join(str(term or "").replace("\x00", "").split())[:SEARCH_LIMIT]
    if not term:
        return []
    found = active_members().filter(name_matches(term, also=Q(membership__number=term.upper())))
    return list(found.exclude(pk__in=list(exclude)).select_related("membership").order_by("name")[:SEARCH_RESULTS])


def paired_with(organization_ids, *, exclude=()):
    """Active members standing in a pairing with one of these organisations: the likely partners of a case."""
    ids = list(organization_ids)
    pairings = Pairing.objects.filter(Q(application_partner_id__in=ids) | Q(model_partner_id__in=ids)
                                      | Q(compute_partner_id__in=ids), state__in=PairingState.confirmed_states())
    sides = set()
    for row in pairings.values_list("application_partner_id", "model_partner_id", "compute_partner_id")[:100]:
        sides.update(pk for pk in row if pk is not None)
    sides -= set(ids) | set(exclude)
    return list(active_members().filter(pk__in=sides).select_related("membership").order_by("name")[:SEARCH_RESULTS])
