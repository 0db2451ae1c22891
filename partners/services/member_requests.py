"""Member requests (诉求): raising one, the effects of the `member_request` process's transitions (fired through
the workflow engine), the SLA escalation job and the monthly report per officer, district and kind."""

import logging
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _g

from ..enums import MemberRequestKind, MembershipState
from ..enums import MemberRequestState as R
from ..member_scope import can_serve_member
from ..models import MemberRequest
from ..permissions import acts_for, unless_suspended
from ..workflow import engine
from ..workflow.member_request import PROCESS
from .applications import ServiceError, require
from .audit import log_event
from .member_service import officers_for

log = logging.getLogger(__name__)
TEXT_LIMIT = 2000


def sla_days() -> int:
    return int(getattr(settings, "MEMBER_REQUEST_SLA_DAYS", 15))


def _text(value, label, limit, field, *, required=True):
    value = (value or "").strip()
    if required and not value:
        raise ServiceError(_g("Enter %(what)s.") % {"what": label}, field=field)
    if len(value) > limit:
        raise ServiceError(_g("%(what)s can have at most %(n)d characters.") % {"what": label, "n": limit},
                           field=field)
    return value


def raise_request(user, membership, *, kind, title, description):
    """A member raises a request in the portal, or its officer records one it heard; it goes to the officer."""
    as_member = acts_for(user, membership.organization)
    if as_member:
        require(unless_suspended(membership.organization))
    else:
        require(can_serve_member(user, membership))
    if membership.state != MembershipState.ACTIVE:
        raise ServiceError(_g("Only active members can raise requests."), code="conflict")
    if kind not in MemberRequestKind.values:
        raise ServiceError(_g("Choose the kind of request."), field="kind")
    title = _text(title, _g("a title"), 200, "title")
    description = _text(description, _g("a description"), TEXT_LIMIT, "description")
    officers = officers_for(membership)
    with transaction.atomic():
        member_request = MemberRequest.objects.create(
            membership=membership, kind=kind, title=title, description=description, raised_by=user,
            recorded_by_officer=not as_member, officer=officers[0] if officers else (None if as_member else user),
            due_at=timezone.now() + timedelta(days=sla_days()), state_changed_at=timezone.now())
        log_event("member_request.raised", actor=user, organization=membership.organization, to_state=R.RAISED,
                  data={"request": member_request.pk, "kind": kind, "by_officer": not as_member},
                  visible_to_applicant=True)
        from .notifications import notify_member_request_raised

        notify_member_request_raised(member_request)
    return member_request


def fire(user, member_request, action, actor=None, **inputs):
    """Fire a member-request action for a person (portal, staff pages and API all come here)."""
    for name, label, limit in (("department", _g("The department"), 200), ("resolution", _g("The resolution"),
                                                                           TEXT_LIMIT),
                               ("reason", _g("The reason"), TEXT_LIMIT)):
        if name in inputs:
            inputs[name] = _text(inputs[name], label, limit, name, required=False)
    if "due_on" in inputs and inputs["due_on"] not in (None, ""):
        due_on = inputs["due_on"]
        if not isinstance(due_on, date):
            try:
                due_on = date.fromisoformat(str(due_on)[:10])
            except ValueError:
                raise ServiceError(_g("Enter the date as YYYY-MM-DD."), field="due_on") from None
        if due_on < timezone.localdate() or due_on > timezone.localdate() + timedelta(days=366):
            raise ServiceError(_g("The date must be between today and a year from now."), field="due_on")
        inputs["due_on"] = due_on
    return engine.fire("member_request", member_request.pk, action, actor or engine.Actor(user=user), **inputs)


# --- Effects of the member-request process ---------------------------------------------------------------------

def _end_of_day(day):
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


@PROCESS.effect("refer")
def _on_refer(member_request, actor, inputs):
    member_request.department = inputs["department"]
    member_request.referral_due_on = inputs["due_on"]
    # The department's date is the new deadline; a new deadline may be escalated afresh.
    member_request.due_at = _end_of_day(inputs["due_on"])
    member_request.escalated_at = None
    if member_request.officer_id is None and actor.user is not None:
        member_request.officer = actor.user
    return {"request": member_request.pk, "department": member_request.department,
            "due_on": inputs["due_on"].isoformat()}


@PROCESS.effect("resolve")
def _on_resolve(member_request, actor, inputs):
    member_request.resolution = inputs["resolution"]
    member_request.resolved_at = timezone.now()
    if member_request.officer_id is None and actor.user is not None:
        member_request.officer = actor.user
    return {"request": member_request.pk}


@PROCESS.effect("confirm")
def _on_confirm(member_request, actor, inputs):
    member_request.closed_at = timezone.now()
    return {"request": member_request.pk}


@PROCESS.effect("reopen")
def _on_reopen(member_request, actor, inputs):
    member_request.reopen_reason = inputs["reason"]
    member_request.resolved_at = None
    member_request.due_at = timezone.now() + timedelta(days=sla_days())
    member_request.escalated_at = None
    return {"request": member_request.pk, "reason": member_request.reopen_reason}


@PROCESS.check("escalate")
def _check_escalation_due(member_request, actor, inputs):
    now = inputs.get("now") or timezone.now()
    if member_request.escalated_at is not None or member_request.due_at > now:
        raise engine.TransitionError(_g("This request is not overdue, or was already escalated."), code="conflict")


@PROCESS.effect("escalate")
def _on_escalate(member_request, actor, inputs):
    member_request.escalated_at = timezone.now()
    overdue = (inputs.get("now") or timezone.now()) - member_request.due_at
    return {"request": member_request.pk, "due_at": member_request.due_at.isoformat(),
            "overdue_days": overdue.days}


def record_member_request_transition(member_request, transition, actor, inputs, data, source):
    """The audit event (in the member's history) and the outbox rows of a member-request transition."""
    from .notifications import notify_member_request

    log_event(transition.code, actor=actor, organization=member_request.membership.organization,
              from_state=source, to_state=transition.target,
              data={"action": transition.action, "kind": member_request.kind, **data},
              visible_to_applicant=transition.action != "escalate")
    notify_member_request(member_request, transition, actor, data)


# --- SLA escalation (periodic) ---------------------------------------------------------------------------------

def escalate_overdue_requests(now=None) -> int:
    """Escalate every open request past its deadline, once per deadline, through the workflow engine."""
    now = now or timezone.now()
    overdue = (MemberRequest.objects.filter(state__in=R.open_states(), due_at__lte=now, escalated_at__isnull=True)
               .values_list("pk", flat=True))
    escalated = 0
    for pk in list(overdue):
        try:
            engine.fire("member_request", pk, "escalate", engine.Actor(system=True), now=now)
            escalated += 1
        except engine.TransitionError:
            continue  # changed meanwhile (resolved, or escalated by another run)
        except Exception:  # one broken request must not stop the others
            log.exception("Escalation of member request %s failed", pk)
    return escalated


# --- The monthly report ----------------------------------------------------------------------------------------

def month_bounds(year, month):
    start = timezone.make_aware(datetime(year, month, 1))
    end = timezone.make_aware(datetime(year + (month == 12), month % 12 + 1, 1))
    return start, end


def monthly_report(user, year, month, queryset=None):
    """Requests of a month, per officer, district and kind: open at the month's end, overdue then, closed in it.

    A request counts as open at the end of the month when raised before the end and not confirmed by then;
    overdue when also past its deadline then; closed when confirmed within the month.
    """
    from ..member_scope import visible_memberships

    start, end = month_bounds(year, month)
    now = timezone.now()
    moment = min(end, now)
    qs = visible_memberships(user, queryset if queryset is not None else MemberRequest.objects.all(),
                             prefix="membership__")
    qs = qs.filter(created_at__lt=end)
    # Resolved (awaiting the member) is no longer open; a reopened request is open again (resolved_at cleared).
    still_open = Q(resolved_at__isnull=True) | Q(resolved_at__gte=end)
    rows = (qs.values("officer__display_name", "officer__email", "membership__organization__district__name_zh",
                      "membership__organization__district__name_en", "kind")
            .annotate(open=Count("pk", filter=still_open),
                      overdue=Count("pk", filter=still_open & Q(due_at__lt=moment)),
                      closed=Count("pk", filter=Q(closed_at__gte=start, closed_at__lt=end)))
            .order_by("officer__email", "membership__organization__district__name_zh", "kind"))
    labels = dict(MemberRequestKind.choices)
    english = (get_language() or "").startswith("en")
    result = []
    for row in rows:
        if not (row["open"] or row["closed"]):
            continue
        district = row["membership__organization__district__name_en" if english else
                       "membership__organization__district__name_zh"] or ""
        result.append({"officer": row["officer__display_name"] or row["officer__email"] or _g("Nobody yet"),
                       "district": district, "kind": row["kind"], "kind_label": str(labels.get(row["kind"], "")),
                       "open": row["open"], "overdue": row["overdue"], "closed": row["closed"]})
    return result

