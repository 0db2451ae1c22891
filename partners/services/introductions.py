"""Introductions between a data set and a demand: one side asks, the other accepts or declines; only an accepted
introduction shares the two contacts."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _g

from ..enums import CatalogueSide, IntroductionState, Moderation
from ..models import Introduction, OrganizationMember
from ..permissions import acts_for, unless_suspended
from .applications import ServiceError, require
from .audit import log_event
from .notifications import record

MESSAGE_LIMIT = 1000


@dataclass(frozen=True)
class Contact:
    organization: str
    name: str
    email: str


def _side_of(user, dataset, demand):
    if acts_for(user, dataset.organization):
        return CatalogueSide.SUPPLY
    if acts_for(user, demand.organization):
        return CatalogueSide.DEMAND
    return None


def request_introduction(user, dataset, demand, message=""):
    """Either side asks to be introduced to the other; both entries must be public."""
    message = (message or "").strip()
    if len(message) > MESSAGE_LIMIT:
        raise ServiceError(_g("The message can have at most %(n)d characters.") % {"n": MESSAGE_LIMIT},
                           field="message")
    side = _side_of(user, dataset, demand)
    if side is None:
        raise ServiceError(_g("Only people acting for the data set's or the demand's organisation can ask."),
                           code="forbidden")
    if dataset.organization_id == demand.organization_id:
        raise ServiceError(_g("The data set and the demand belong to the same organisation."))
    require(unless_suspended(dataset.organization if side == CatalogueSide.SUPPLY else demand.organization))
    if dataset.moderation != Moderation.PUBLISHED or demand.moderation != Moderation.PUBLISHED:
        raise ServiceError(_g("Both entries must be public in the catalogue."), code="conflict")
    try:
        with transaction.atomic():
            intro = Introduction.objects.create(dataset=dataset, demand=demand, requested_by_side=side,
                                                requested_by=user, message=message)
            answering = demand.organization if side == CatalogueSide.SUPPLY else dataset.organization
            log_event("introduction.requested", actor=user, organization=answering,
                      to_state=IntroductionState.PENDING,
                      data={"introduction": intro.pk, "dataset": dataset.pk, "demand": demand.pk, "side": side},
                      visible_to_applicant=True)
            _tell(answering, "introduction.requested", intro)
    except IntegrityError:
        raise ServiceError(_g("An introduction between these two entries is already open or accepted."),
                           code="duplicate") from None
    return intro


def answering_organization(intro):
    return intro.demand.organization if intro.requested_by_side == CatalogueSide.SUPPLY else intro.dataset.organization


def requesting_organization(intro):
    return intro.dataset.organization if intro.requested_by_side == CatalogueSide.SUPPLY else intro.demand.organization


def answer(user, intro, accept: bool):
    """The side that was asked accepts (contacts are then shared both ways) or declines."""
    with transaction.atomic():
        intro = (Introduction.objects.select_for_update(of=("self",))
                 .select_related("dataset__organization", "demand__organization").get(pk=intro.pk))
        answering = answering_organization(intro)
        if not acts_for(user, answering):
            raise ServiceError(_g("Only the side that was asked can answer."), code="forbidden")
        require(unless_suspended(answering))
        if intro.state != IntroductionState.PENDING:
            raise ServiceError(_g("This introduction was already answered."), code="conflict")
        intro.state = IntroductionState.ACCEPTED if accept else IntroductionState.DECLINED
        intro.answered_by = user
        intro.answered_at = timezone.now()
        intro.save(update_fields=["state", "answered_by", "answered_at"])
        code = "introduction.accepted" if accept else "introduction.declined"
        log_event(code, actor=user, organization=requesting_organization(intro),
                  from_state=IntroductionState.PENDING, to_state=intro.state,
                  data={"introduction": intro.pk, "dataset": intro.dataset_id, "demand": intro.demand_id},
                  visible_to_applicant=True)
        _tell(requesting_organization(intro), code, intro)
    return intro


def _tell(organization, code, intro):
    """Mail the organisation's people (no contact details: those are on the page once accepted)."""
    kind = "catalogue.introduction_requested" if code == "introduction.requested" else "catalogue.introduction_answered"
    ctx = {"organization": organization.name, "organization_id": organization.pk, "dataset": intro.dataset.name,
           "demand": intro.demand.title, "state": intro.state, "introduction": intro.pk}
    for link in OrganizationMember.objects.filter(organization=organization).select_related("user")[:20]:
        record(kind, recipient=link.user, context=ctx, dedupe_key=f"{kind}:{intro.pk}:{intro.state}:{link.user_id}")


def _contact(listing) -> Contact:
    person = listing.contact
    return Contact(organization=listing.organization.name, name=getattr(person, "display_name", "") or "",
                   email=getattr(person, "email", "") or "")


def shared_contacts(user, intro, my_organizations=None) -> dict | None:
    """Both contacts, for a person of either side, once the introduction is accepted; otherwise None.

    `my_organizations` (the ids of the person's organisations) saves a query per row on a list."""
    if intro.state != IntroductionState.ACCEPTED:
        return None
    if my_organizations is not None:
        sides = {intro.dataset.organization_id, intro.demand.organization_id}
        if not sides & set(my_organizations):
            return None
    elif not (acts_for(user, intro.dataset.organization) or acts_for(user, intro.demand.organization)):
        return None
    return {"supply": _contact(intro.dataset), "demand": _contact(intro.demand)}


def introductions_of(user):
    """The introductions that concern the person's organisations, newest first."""
    orgs = OrganizationMember.objects.filter(user=user).values("organization_id")
    return (Introduction.objects.filter(Q(dataset__organization_id__in=orgs) | Q(demand__organization_id__in=orgs))
            .select_related("dataset__organization", "demand__organization", "dataset__contact", "demand__contact"))


def accepted_count() -> int:
    return Introduction.objects.filter(state=IntroductionState.ACCEPTED).count()
