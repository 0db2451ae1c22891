"""Calls for applications: which call takes an application, whether it may be submitted now, receipt numbers."""

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _g

from ..models import Call, ReceiptCounter
from ..permissions import can
from .applications import ServiceError, require
from .audit import log_event
from .counters import next_in_year

RECEIPT_PREFIX = "BJAI-SQ"


def continuous_call():
    """The always-open call of continuous intake (created by the migration; recreated if a test flushed it)."""
    call = Call.objects.filter(code=Call.CONTINUOUS).first()
    if call is None:
        try:
            with transaction.atomic():
                call = Call.objects.create(code=Call.CONTINUOUS, title="常年受理", title_en="Continuous intake",
                                           always_open=True)
        except IntegrityError:
            call = Call.objects.get(code=Call.CONTINUOUS)
    return call


def _open_now(now):
    return Call.objects.filter(Q(always_open=True) | (Q(opens_at__lte=now) & (
        Q(closes_at__isnull=True) | Q(closes_at__gt=now))))


def _taking(calls, partner_types):
    return [c for c in calls if all(c.takes(t) for t in partner_types)]


def open_call_for(partner_types=(), now=None):
    """The call an application of these types is submitted to now: a dated call before continuous intake."""
    now = now or timezone.now()
    open_now = list(_open_now(now).order_by("always_open", "closes_at", "pk"))
    if not any(c.code == Call.CONTINUOUS for c in open_now):
        continuous_call()  # made again if it is missing; then asked again
        open_now = list(_open_now(now).order_by("always_open", "closes_at", "pk"))
    calls = _taking(open_now, partner_types)
    return calls[0] if calls else None


def next_opening(partner_types=(), now=None):
    """The next call to open that takes these types, or None."""
    now = now or timezone.now()
    upcoming = Call.objects.filter(always_open=False, opens_at__gt=now).order_by("opens_at", "pk")
    calls = _taking(upcoming, partner_types)
    return calls[0] if calls else None


def call_for_new_draft(now=None):
    """A new draft belongs to the open call, or else to the next one (prepared in advance)."""
    return open_call_for((), now) or next_opening((), now)


def title_of(call):
    return call.label


def beijing(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def closed_message(partner_types=(), now=None) -> str:
    """What the portal and the API say when no call takes the application now, naming the next opening."""
    upcoming = next_opening(partner_types, now)
    if upcoming is None:
        return _g("No call for applications is open for these partner types now, and none is announced yet. "
                  "Your draft is kept; you can submit it when a call opens.")
    return _g("No call for applications is open for these partner types now. The next call, “%(title)s”, opens on "
              "%(opens)s (Beijing time). Your draft is kept; submit it then.") % {
        "title": title_of(upcoming), "opens": beijing(upcoming.opens_at)}


def call_for_submission(application, now=None):
    """The open call that takes this application now, or ServiceError naming the next opening.

    A draft prepared for a call stays with it while it is open; otherwise it goes to the call open now.
    """
    types = application.partner_types
    now = now or timezone.now()
    if application.call_id and application.call.is_open(now) and _taking([application.call], types):
        return application.call
    call = open_call_for(types, now)
    if call is None:
        raise ServiceError(closed_message(types, now), code="call_closed")
    return call


def required_document_kinds(call, partner_types) -> list[str]:
    """The attachment kinds a call requires of these partner types (`required_documents`: {type: [kind, …]})."""
    from ..models.application import AttachmentKind

    wanted = call.required_documents if isinstance(call.required_documents, dict) else {}
    kinds = []
    for partner_type in partner_types:
        for kind in wanted.get(partner_type) or ():
            if kind in AttachmentKind.values and kind not in kinds:
                kinds.append(kind)
    return kinds


def missing_documents_message(application, call) -> str:
    """Empty when every document the call requires of the application's partner types is attached; otherwise
    a translated sentence naming the missing kinds."""
    from ..models.application import AttachmentKind

    required = required_document_kinds(call, application.partner_types)
    if not required:
        return ""
    from .applications import attachments_read_with

    read = attachments_read_with(application)
    present = ({a.kind for a in read} if read is not None
               else set(application.attachments.filter(kind__in=required).values_list("kind", flat=True)))
    labels = dict(AttachmentKind.choices)
    missing = [str(labels[k]) for k in required if k not in present]
    if not missing:
        return ""
    return _g("This call requires these documents, which are not attached yet: %(kinds)s.") % {
        "kinds": _g(", ").join(missing)}


def allocate_receipt_number(now=None) -> str:
    """受理编号 of the year, e.g. BJAI-SQ-2026-000123: called inside the submit transaction, so the counter row stays
    locked until the submission commits; a rolled-back submission rolls the counter back too (no gaps)."""
    year = timezone.localtime(now or timezone.now()).year
    return f"{RECEIPT_PREFIX}-{year}-{next_in_year(ReceiptCounter, year):06d}"


# --- Staff: define calls ------------------------------------------------------------------------------------

def save_call(user, call, **fields):
    """Create or change a call (administrators)."""
    require(can(user, "call.manage"))
    creating = call is None
    call = call or Call()
    for name, value in fields.items():
        setattr(call, name, value)
    if not call.always_open and call.opens_at and call.closes_at and call.closes_at <= call.opens_at:
        raise ServiceError(_g("A call must close after it opens."), field="closes_at")
    if not call.always_open and not call.opens_at:
        raise ServiceError(_g("Give the opening time, or make the call always open."), field="opens_at")
    with transaction.atomic():
        previous = None if not creating else Call.objects.exclude(pk=call.pk).order_by("-created_at", "-pk").first()
        call.save()
        if creating and previous is not None:
            from .panel import copy_rubrics

            copy_rubrics(previous, call)
        log_event("call.saved", actor=user, data={"call": str(call.public_id), "created": creating})
    return call


def counts_by_state_and_type(call):
    """Applications of a call counted by state and partner type: {state: {type: n}}."""
    from django.db.models import Count

    from ..models import RequestedType

    rows = (RequestedType.objects.filter(application__call=call)
            .values("application__state", "partner_type").annotate(n=Count("id")))
    result: dict = {}
    for row in rows:
        result.setdefault(row["application__state"], {})[row["partner_type"]] = row["n"]
    return result


def median_days_by_state(call) -> dict:
    """{state: median days the call's applications now in that state have been in it}, in one query."""
    from ..models import Application

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT state, percentile_cont(0.5) WITHIN GROUP "
                "(ORDER BY extract(epoch FROM (now() - coalesce(state_changed_at, now())))) "
                "FROM partners_application WHERE call_id = %s GROUP BY state", [call.pk])
            return {state: float(seconds or 0) / 86400 for state, seconds in cursor.fetchall()}
    now = timezone.now()
    waits: dict = {}
    for state, changed in Application.objects.filter(call=call).values_list("state", "state_changed_at").iterator():
        waits.setdefault(state, []).append((now - changed).total_seconds() / 86400 if changed else 0)
    result = {}
    for state, days in waits.items():
        days.sort()
        mid = len(days) // 2
        result[state] = days[mid] if len(days) % 2 else (days[mid - 1] + days[mid]) / 2
    return result


def quota_refusal(application, granted_types) -> str:
    """Empty when granting these types stays within the call's quotas; otherwise why the decision is refused.

    A quota is the most partners of a type one call admits: the requested types of the call's applications
    granted so far (an upheld objection clears the grant, so it frees its place). The call's row is locked so
    two approvers deciding at once cannot both take the last place.
    """
    from ..enums import PartnerType
    from ..models import RequestedType

    if not application.call_id:
        return ""
    call = Call.objects.select_for_update().get(pk=application.call_id)
    quotas = call.quotas if isinstance(call.quotas, dict) else {}
    labels = dict(PartnerType.choices)
    for partner_type in granted_types:
        quota = quotas.get(partner_type)
        if quota is None or isinstance(quota, bool) or not isinstance(quota, int):
            continue
        admitted = (RequestedType.objects.filter(application__call=call, partner_type=partner_type, granted=True)
                    .exclude(application=application).count())
        if admitted + 1 > quota:
            return _g("The call “%(call)s” admits at most %(quota)d %(type)s; %(admitted)d are admitted already. "
                      "Decline this type or raise the quota.") % {
                "call": call.label, "quota": quota, "type": labels.get(partner_type, partner_type),
                "admitted": admitted}
    return ""
