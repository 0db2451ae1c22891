"""Serving the members: officers assigned in bulk, the contact log with follow-ups, key-enterprise flags, and the
reminders when a follow-up falls due or a member has not been contacted for the configured interval."""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _g

from ..enums import ContactKind, MembershipState, StaffRole
from ..member_scope import can_serve_member, district_of, is_officer, visible_memberships
from ..models import Contact, FollowUp, MemberService, Membership, User
from ..permissions import has_role
from .applications import ServiceError, require
from .audit import log_event

TEXT_LIMIT = 2000
BULK_LIMIT = 5000  # members changed by one bulk assignment; the filter narrows larger sets
MAX_FOLLOW_UPS = 10


def contact_interval_days() -> int:
    return int(getattr(settings, "MEMBER_CONTACT_INTERVAL_DAYS", 90))


def service_of(membership) -> MemberService:
    """The member's service row, created on first use (members admitted before it existed have none)."""
    service = MemberService.objects.filter(membership=membership).first()
    if service is None:
        service, _created = MemberService.objects.get_or_create(membership=membership)
    return service


def _text(value, label, limit, *, required=False):
    value = (value or "").strip()
    if required and not value:
        raise ServiceError(_g("Enter %(what)s.") % {"what": label}, field="topics")
    if len(value) > limit:
        raise ServiceError(_g("%(what)s can have at most %(n)d characters.") % {"what": label, "n": limit})
    return value


def _officer(person, *, field):
    if person is None:
        return None
    if not (has_role(person, StaffRole.SERVICE_OFFICER) or has_role(person, StaffRole.ADMINISTRATOR)):
        raise ServiceError(_g("%(who)s is not a service officer.") % {"who": person}, field=field)
    return person


# --- Officers ---------------------------------------------------------------------------------------------------

def assign_officers(user, memberships, *, city_officer=None, district_officer=None, clear=False) -> int:
    """Give every member of `memberships` (a filtered queryset) these officers; returns how many changed.

    Only the members the person serves are touched. A district officer confined to a district is given only
    to members of that district; the others keep theirs.
    """
    if not is_officer(user):
        raise ServiceError(_g("Only service officers can do this."), code="forbidden")
    _officer(city_officer, field="city_officer")
    _officer(district_officer, field="district_officer")
    if city_officer is not None and district_of(city_officer) is not None:
        raise ServiceError(_g("%(who)s works for one district, so cannot be a member's city officer.")
                           % {"who": city_officer}, field="city_officer")
    if city_officer is None and district_officer is None and not clear:
        raise ServiceError(_g("Choose an officer."), field="city_officer")
    officer_district = district_of(district_officer) if district_officer is not None else None
    ids = list(visible_memberships(user, memberships).order_by("pk").values_list("pk", flat=True)[:BULK_LIMIT])
    changed = 0
    with transaction.atomic():
        members = (Membership.objects.filter(pk__in=ids).select_related("organization")
                   .order_by("pk"))
        existing = {s.membership_id: s for s in MemberService.objects.select_for_update().filter(membership_id__in=ids)}
        for membership in members:
            service = existing.get(membership.pk) or MemberService.objects.create(membership=membership)
            before = (service.city_officer_id, service.district_officer_id)
            if city_officer is not None or clear:
                service.city_officer = city_officer
            if district_officer is not None or clear:
                if officer_district is None or membership.organization.district_id == officer_district:
                    service.district_officer = district_officer
            after = (service.city_officer_id, service.district_officer_id)
            if after == before:
                continue
            service.save(update_fields=["city_officer", "district_officer"])
            log_event("member.officers_assigned", actor=user, organization=membership.organization,
                      data={"member": membership.number, "city_officer": after[0], "district_officer": after[1]})
            changed += 1
    return changed


def officers_for(membership) -> list[User]:
    service = MemberService.objects.filter(membership=membership).select_related(
        "city_officer", "district_officer").first()
    if service is None:
        return []
    return [p for p in (service.city_officer, service.district_officer) if p is not None and p.is_active]


def my_members(user, queryset=None):
    """The members this officer is named for (city or district)."""
    qs = queryset if queryset is not None else Membership.objects.all()
    return qs.filter(Q(service__city_officer=user) | Q(service__district_officer=user))


# --- Contact log ------------------------------------------------------------------------------------------------

def log_contact(user, membership, *, kind, contacted_on, topics, participants="", follow_ups=()):
    """Record a contact with the member and its follow-ups [(action, due_on), ...]; returns the contact."""
    require(can_serve_member(user, membership))
    if kind not in ContactKind.values:
        raise ServiceError(_g("Unknown kind of contact."), field="kind")
    if not isinstance(contacted_on, date):
        raise ServiceError(_g("Enter the date of the contact."), field="contacted_on")
    today = timezone.localdate()
    if contacted_on > today:
        raise ServiceError(_g("The date of a contact cannot be in the future."), field="contacted_on")
    if contacted_on < date(2000, 1, 1):
        raise ServiceError(_g("Enter a date after 2000."), field="contacted_on")
    topics = _text(topics, _g("the topics"), TEXT_LIMIT, required=True)
    participants = _text(participants, _g("the participants"), 500)
    follow_ups = list(follow_ups)
    if len(follow_ups) > MAX_FOLLOW_UPS:
        raise ServiceError(_g("At most %(n)d follow-ups per contact.") % {"n": MAX_FOLLOW_UPS}, field="follow_ups")
    cleaned = []
    for action, due_on in follow_ups:
        action = _text(action, _g("the follow-up"), 500)
        if not action:
            continue
        if not isinstance(due_on, date):
            raise ServiceError(_g("Give each follow-up a due date."), field="follow_ups")
        if due_on < contacted_on:
            raise ServiceError(_g("A follow-up cannot be due before the contact."), field="follow_ups")
        cleaned.append((action, due_on))
    with transaction.atomic():
        membership = Membership.objects.select_related("organization").get(pk=membership.pk)
        contact = Contact.objects.create(membership=membership, kind=kind, contacted_on=contacted_on, topics=topics,
                                         participants=participants, officer=user)
        for action, due_on in cleaned:
            FollowUp.objects.create(contact=contact, membership=membership, action=action, due_on=due_on, owner=user)
        service = MemberService.objects.select_for_update().filter(membership=membership).first()
        if service is None:
            service = MemberService.objects.create(membership=membership)
        if service.last_contact_on is None or contacted_on > service.last_contact_on:
            service.last_contact_on = contacted_on
            service.save(update_fields=["last_contact_on"])
        log_event("member.contact_logged", actor=user, organization=membership.organization,
                  data={"member": membership.number, "contact": contact.pk, "kind": kind,
                        "contacted_on": contacted_on.isoformat(), "follow_ups": len(cleaned)})
    return contact


def complete_follow_up(user, follow_up) -> FollowUp:
    require(can_serve_member(user, follow_up.membership))
    with transaction.atomic():
        follow_up = FollowUp.objects.select_for_update().select_related("membership__organization").get(
            pk=follow_up.pk)
        if follow_up.done_at is None:
            follow_up.done_at = timezone.now()
            follow_up.save(update_fields=["done_at"])
            log_event("member.follow_up_done", actor=user, organization=follow_up.membership.organization,
                      data={"member": follow_up.membership.number, "follow_up": follow_up.pk})
    return follow_up


# --- Key-enterprise flags ---------------------------------------------------------------------------------------

def set_key_enterprise(user, membership, *, level, flagged, since=None, reference=""):
    """Flag (or unflag) the member as a key enterprise of the city or of its district, with the decision."""
    require(can_serve_member(user, membership))
    if level not in ("city", "district"):
        raise ServiceError(_g("Choose the city or the district."), field="level")
    if level == "city" and district_of(user) is not None:
        raise ServiceError(_g("District staff cannot set the city's key-enterprise flag."), code="forbidden")
    reference = _text(reference, _g("the decision reference"), 100)
    if flagged and (since is None or not reference):
        raise ServiceError(_g("Give the date and the reference of the decision."), field="reference")
    with transaction.atomic():
        service = service_of(membership)
        service = MemberService.objects.select_for_update().get(pk=service.pk)
        setattr(service, f"key_{level}", bool(flagged))
        setattr(service, f"key_{level}_on", since if flagged else None)
        setattr(service, f"key_{level}_reference", reference if flagged else "")
        service.save()
        log_event("member.key_enterprise_set", actor=user, organization=membership.organization,
                  data={"member": membership.number, "level": level, "flagged": bool(flagged),
                        "since": since.isoformat() if (flagged and since) else None, "reference": reference})
    return service


# --- Reminders (periodic) ---------------------------------------------------------------------------------------

def send_member_reminders(now=None) -> dict[str, int]:
    """Record the follow-up and contact reminders due now; each is recorded once (its dedupe key says which).

    A follow-up is announced once when it falls due. A member not contacted within the interval is announced
    once per stretch without contact: the key holds the day of the last contact, so a new contact starts a
    new stretch.
    """
    from .notifications import record

    now = now or timezone.now()
    today = timezone.localdate(now)
    counts = {"member.followup_due": 0, "member.uncontacted": 0}
    due = (FollowUp.objects.filter(done_at__isnull=True, due_on__lte=today,
                                   membership__state=MembershipState.ACTIVE)
           .select_related("owner", "membership__organization", "contact"))
    for follow_up in due.iterator(chunk_size=500):
        people = [follow_up.owner] if follow_up.owner is not None else officers_for(follow_up.membership)
        for person in people:
            row = record("member.followup_due", recipient=person,
                         context={"organization": follow_up.membership.organization.name,
                                  "membership_id": follow_up.membership_id, "action": follow_up.action,
                                  "due_on": follow_up.due_on.isoformat()},
                         dedupe_key=f"member.followup_due:{follow_up.pk}:{person.pk}")
            counts["member.followup_due"] += row is not None
    cutoff = today - timedelta(days=contact_interval_days())
    cutoff_at = timezone.make_aware(datetime.combine(cutoff, time.min))
    quiet = (MemberService.objects.filter(membership__state=MembershipState.ACTIVE)
             .filter(Q(last_contact_on__lte=cutoff) | Q(last_contact_on__isnull=True,
                                                         membership__admitted_at__lt=cutoff_at))
             .filter(Q(city_officer__isnull=False) | Q(district_officer__isnull=False))
             .select_related("membership__organization", "city_officer", "district_officer"))
    for service in quiet.iterator(chunk_size=500):
        stretch = service.last_contact_on.isoformat() if service.last_contact_on else "never"
        for person in (service.city_officer, service.district_officer):
            if person is None or not person.is_active:
                continue
            row = record("member.uncontacted", recipient=person,
                         context={"organization": service.membership.organization.name,
                                  "membership_id": service.membership_id, "last_contact_on": stretch,
                                  "days": contact_interval_days()},
                         dedupe_key=f"member.uncontacted:{service.membership_id}:{stretch}:{person.pk}")
            counts["member.uncontacted"] += row is not None
    return counts
