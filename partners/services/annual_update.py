"""The annual update: on the configured day each active member is asked to confirm its facts and report its year;
reminders follow, then the staff hear of the members that did not answer, and may suspend them."""

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _g

from ..enums import AnnualUpdateState, MembershipState, StaffRole
from ..member_scope import visible_memberships
from ..models import AnnualUpdate, Membership
from ..permissions import acts_for, unless_suspended
from .applications import ServiceError, require
from .audit import log_event

TEXT_LIMIT = 4000


def ask_day(year) -> date:
    """The day of `year` the update is asked (ANNUAL_UPDATE_DATE, MM-DD; 02-29 falls on 02-28 in other years)."""
    text = str(getattr(settings, "ANNUAL_UPDATE_DATE", "03-01"))
    try:
        month, day = (int(part) for part in text.split("-"))
        return date(year, month, min(day, 28) if (month, day) == (2, 29) else day)
    except (ValueError, TypeError):
        raise ValueError(f"ANNUAL_UPDATE_DATE must be MM-DD, not {text!r}") from None


def _days(name, default):
    return int(getattr(settings, name, default))


def run_annual_update(now=None) -> dict[str, int]:
    """Ask, remind and escalate, as due today; running it again the same day records nothing new."""
    from .notifications import people_of, record, staff_with_role

    now = now or timezone.now()
    today = timezone.localdate(now)
    year = today.year
    counts = {"asked": 0, "reminded": 0, "escalated": 0}
    if today < ask_day(year):
        return counts
    members = (Membership.objects.filter(state=MembershipState.ACTIVE)
               .exclude(annual_updates__year=year).select_related("organization"))
    for membership in members.iterator(chunk_size=500):
        try:
            with transaction.atomic():
                update = AnnualUpdate.objects.create(membership=membership, year=year, asked_at=now)
                log_event("annual_update.asked", actor=None, organization=membership.organization,
                          data={"member": membership.number, "year": year}, visible_to_applicant=True)
                for person in people_of(membership.organization):
                    record("annual_update.asked", recipient=person, context=_ctx(update),
                           dedupe_key=f"annual_update.asked:{update.pk}:{person.pk}")
        except IntegrityError:
            continue  # another run asked it first
        counts["asked"] += 1
    waiting = (AnnualUpdate.objects.filter(year=year, state=AnnualUpdateState.ASKED,
                                           membership__state=MembershipState.ACTIVE)
               .select_related("membership__organization"))
    remind_before = now - timedelta(days=_days("ANNUAL_UPDATE_REMIND_DAYS", 14))
    for update in waiting.filter(asked_at__lte=remind_before).iterator(chunk_size=500):
        for person in people_of(update.membership.organization):
            row = record("annual_update.reminder", recipient=person, context=_ctx(update),
                         dedupe_key=f"annual_update.reminder:{update.pk}:{person.pk}")
            counts["reminded"] += row is not None
    escalate_before = now - timedelta(days=_days("ANNUAL_UPDATE_ESCALATE_DAYS", 30))
    overdue = waiting.filter(asked_at__lte=escalate_before).count()
    if overdue:
        people = {p.pk: p for role in (StaffRole.ADMINISTRATOR, StaffRole.SERVICE_OFFICER)
                  for p in staff_with_role(role)}
        for person in people.values():
            row = record("staff.annual_update.overdue", recipient=person, context={"year": year, "count": overdue},
                         dedupe_key=f"staff.annual_update.overdue:{year}:{person.pk}")
            counts["escalated"] += row is not None
    return counts


def _ctx(update):
    organization = update.membership.organization
    return {"organization": organization.name, "organization_id": organization.pk, "year": update.year,
            "membership_id": update.membership_id}


def non_responders(user, year):
    """Active members asked for `year` that have not answered, among those the person serves."""
    qs = Membership.objects.filter(state=MembershipState.ACTIVE, annual_updates__year=year,
                                   annual_updates__state=AnnualUpdateState.ASKED)
    return visible_memberships(user, qs).select_related("organization", "organization__district").order_by("number")


def open_update(membership):
    return AnnualUpdate.objects.filter(membership=membership).order_by("-year").first()


def _compute(value):
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise ServiceError(_g("Enter the compute used as a number."), field="compute_used") from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e12"):
        raise ServiceError(_g("Enter the compute used as a number from 0 up."), field="compute_used")
    return amount.quantize(Decimal("0.01"))


def respond(user, update, *, projects="", pilot_cases="", compute_used=None, facts_confirmed=False):
    """The member answers: its results of the year, and whether its facts are current."""
    organization = update.membership.organization
    if not acts_for(user, organization):
        raise ServiceError(_g("You do not act for this organisation."), code="forbidden")
    require(unless_suspended(organization))
    fields = {}
    for name, value, label in (("projects", projects, _g("the projects")),
                               ("pilot_cases", pilot_cases, _g("the pilot cases"))):
        value = (value or "").strip()
        if len(value) > TEXT_LIMIT:
            raise ServiceError(_g("%(what)s can have at most %(n)d characters.") % {"what": label, "n": TEXT_LIMIT},
                               field=name)
        fields[name] = value
    amount = _compute(compute_used)
    if not facts_confirmed:
        raise ServiceError(_g("Confirm that the organisation's facts are current (or update them first)."),
                           field="facts_confirmed")
    with transaction.atomic():
        update = AnnualUpdate.objects.select_for_update().get(pk=update.pk)
        update.projects, update.pilot_cases = fields["projects"], fields["pilot_cases"]
        update.compute_used = amount
        update.facts_confirmed = True
        first = update.state == AnnualUpdateState.ASKED
        update.state = AnnualUpdateState.RESPONDED
        update.responded_at = timezone.now()
        update.responded_by = user
        update.save()
        log_event("annual_update.answered", actor=user, organization=organization,
                  data={"member": update.membership.number, "year": update.year, "first_answer": first},
                  visible_to_applicant=True)
    return update
