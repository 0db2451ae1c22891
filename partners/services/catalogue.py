"""The data catalogue's use cases: publish a data set or a demand, moderate and feature entries, and search."""

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _g

from ..catalogue_sql import DATASET_QUERY_TEXT, DEMAND_QUERY_TEXT
from ..enums import AccessTerms, DataLanguage, Moderation
from ..models import DataDemand, DataSet
from ..permissions import can
from .applications import ServiceError, require
from .audit import log_event

SEARCH_LIMIT = 100  # characters of a search term
LISTING_MODELS = {"dataset": DataSet, "demand": DataDemand}


# The audit codes of each kind of entry, spelt out so the list of event types can be checked against the code.
EVENTS = {
    "dataset": {"created": "dataset.created", "updated": "dataset.updated", "accepted": "dataset.accepted",
                "rejected": "dataset.rejected", "withdrawn": "dataset.withdrawn", "featured": "dataset.featured",
                "unfeatured": "dataset.unfeatured"},
    "demand": {"created": "demand.created", "updated": "demand.updated", "accepted": "demand.accepted",
               "rejected": "demand.rejected", "withdrawn": "demand.withdrawn", "featured": "demand.featured",
               "unfeatured": "demand.unfeatured"},
}


def moderated() -> bool:
    return bool(getattr(settings, "CATALOGUE_MODERATION", True))


def kind_of(listing) -> str:
    return "dataset" if isinstance(listing, DataSet) else "demand"


def _clean_choices(values, allowed, label):
    values = list(dict.fromkeys(values or []))
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise ServiceError(_g("Unknown %(what)s: %(codes)s.") % {"what": label, "codes": ", ".join(map(str, unknown))})
    return values


def _check(listing):
    listing.languages = _clean_choices(listing.languages, DataLanguage.values, _g("language"))
    if isinstance(listing, DataDemand):
        listing.accepted_access_terms = _clean_choices(listing.accepted_access_terms, AccessTerms.values,
                                                       _g("access terms"))
        if listing.budget_min is not None and listing.budget_max is not None and listing.budget_min > listing.budget_max:
            raise ServiceError(_g("The budget's lower end is above its upper end."), field="budget_max")


def publish(user, listing):
    """Save a new data set or demand of the person's organisation; public at once unless staff moderate first."""
    require(can(user, "catalogue.create", listing.organization))
    _check(listing)
    kind = kind_of(listing)
    with transaction.atomic():
        listing.contact = listing.contact or user
        if moderated():
            listing.moderation = Moderation.PENDING
        else:
            listing.moderation = Moderation.PUBLISHED
            listing.published_at = timezone.now()
        listing.save()
        log_event(EVENTS[kind]["created"], actor=user, organization=listing.organization, to_state=listing.moderation,
                  data={kind: listing.pk}, visible_to_applicant=True)
    return listing


def update(user, listing, fields):
    """Save the owner's changes; a public entry goes back to moderation when staff moderate, and a rejected one
    goes back to the plan office (the owner fixed what was wrong). A withdrawn entry is not changed any more."""
    require(can(user, "catalogue.edit", listing.organization))
    _check(listing)
    kind = kind_of(listing)
    with transaction.atomic():
        current = _locked(listing)
        previous = current.moderation
        if previous == Moderation.WITHDRAWN:
            raise ServiceError(_g("A withdrawn entry cannot be changed; publish a new one instead."), code="conflict")
        # What staff decided stays as it is now (the form's copy of the row may be older).
        for name in ("moderation", "moderation_note", "moderated_by_id", "featured", "published_at"):
            setattr(listing, name, getattr(current, name))
        if (moderated() and previous == Moderation.PUBLISHED) or previous == Moderation.REJECTED:
            listing.moderation = Moderation.PENDING
        listing.save()
        log_event(EVENTS[kind]["updated"], actor=user, organization=listing.organization, from_state=previous,
                  to_state=listing.moderation, data={kind: listing.pk, "fields": sorted(fields)},
                  visible_to_applicant=True)
    return listing


def _locked(listing):
    return type(listing).objects.select_for_update().select_related("organization").get(pk=listing.pk)


MODERATION_TARGETS = {
    "accept": (Moderation.PUBLISHED, {Moderation.PENDING, Moderation.REJECTED}),
    "reject": (Moderation.REJECTED, {Moderation.PENDING, Moderation.PUBLISHED}),
}


def moderate(user, listing, decision, note=""):
    """Staff accept (make public) or reject an entry."""
    require(can(user, "catalogue.moderate"))
    if decision not in MODERATION_TARGETS:
        raise ServiceError(_g("Unknown decision."), field="decision")
    note = (note or "").strip()[:500]
    if decision == "reject" and not note:
        raise ServiceError(_g("Say why the entry is not accepted."), field="note")
    target, sources = MODERATION_TARGETS[decision]
    kind = kind_of(listing)
    with transaction.atomic():
        listing = _locked(listing)
        if listing.moderation not in sources:
            raise ServiceError(_g("This entry was already changed; please reload."), code="conflict")
        previous = listing.moderation
        listing.moderation = target
        listing.moderation_note = note
        listing.moderated_by = user
        if target == Moderation.PUBLISHED and listing.published_at is None:
            listing.published_at = timezone.now()
        listing.save(update_fields=["moderation", "moderation_note", "moderated_by", "published_at"])
        log_event(EVENTS[kind]["accepted" if decision == "accept" else "rejected"], actor=user,
                  organization=listing.organization, from_state=previous, to_state=target,
                  data={kind: listing.pk, "note": note}, visible_to_applicant=True)
    return listing


def withdraw(user, listing):
    """The owner takes an entry out of the catalogue."""
    require(can(user, "catalogue.edit", listing.organization))
    kind = kind_of(listing)
    with transaction.atomic():
        listing = _locked(listing)
        previous = listing.moderation
        if previous == Moderation.WITHDRAWN:
            return listing
        listing.moderation = Moderation.WITHDRAWN
        listing.featured = False
        listing.save(update_fields=["moderation", "featured"])
        log_event(EVENTS[kind]["withdrawn"], actor=user, organization=listing.organization, from_state=previous,
                  to_state=Moderation.WITHDRAWN, data={kind: listing.pk}, visible_to_applicant=True)
    return listing


def feature(user, listing, featured=True):
    """Staff put a public entry at the top of the catalogue (or take it off)."""
    require(can(user, "catalogue.moderate"))
    kind = kind_of(listing)
    with transaction.atomic():
        listing = _locked(listing)
        if featured and listing.moderation != Moderation.PUBLISHED:
            raise ServiceError(_g("Only a public entry can be featured."), code="conflict")
        if listing.featured == featured:
            return listing
        listing.featured = featured
        listing.save(update_fields=["featured"])
        log_event(EVENTS[kind]["featured" if featured else "unfeatured"], actor=user,
                  organization=listing.organization, data={kind: listing.pk})
    return listing


def public_datasets():
    return DataSet.objects.filter(moderation=Moderation.PUBLISHED)


def public_demands():
    return DataDemand.objects.filter(moderation=Moderation.PUBLISHED)


def clean_term(term) -> str:
    term = " ".join(str(term or "").replace("\x00", "").split())
    if len(term) > SEARCH_LIMIT:
        raise ServiceError(_g("A search can have at most %(n)d characters.") % {"n": SEARCH_LIMIT}, field="q")
    return term


def search(queryset, term):
    """Entries whose name (title) or description contains the term, through the bigram index on PostgreSQL."""
    term = clean_term(term)
    if not term:
        return queryset
    text = DATASET_QUERY_TEXT if queryset.model is DataSet else DEMAND_QUERY_TEXT
    pattern = "%" + term.upper().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    if connection.vendor != "postgresql":
        field = "name" if queryset.model is DataSet else "title"
        from django.db.models import Q

        return queryset.filter(Q(**{f"{field}__icontains": term}) | Q(description__icontains=term))
    where = [f"{text} LIKE %s"]
    params = [pattern]
    if len(term) >= 2:
        # The bigram containment narrows the rows through the GIN index; LIKE keeps exact substrings.
        where.insert(0, f"partners_bigrams({text}) @> partners_bigrams(upper(%s))")
        params.insert(0, term)
    return queryset.extra(where=where, params=params)  # noqa: S610 - the SQL is ours; the term is a parameter
