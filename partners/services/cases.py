"""Pilot cases: members prepare and submit them, staff review them through the workflow engine, publish them on
the showcase and designate those that count toward a year's targets."""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _g

from ..enums import CaseKind, CaseMediaKind, CaseState, MembershipState, OrgRole
from ..models import Case, CaseMedia, User, YearTarget
from ..models.showcase import DEFAULT_TARGET
from ..permissions import can
from ..workflow import engine
from ..workflow.case import PROCESS
from .applications import ServiceError, require
from .audit import log_event
from .notifications import record
from .uploads import checked_with_digest, clean_name

MAX_MEDIA = 6
TEXT_LIMIT = 2000
MEDIA_TYPES = {"image/png": CaseMediaKind.IMAGE, "image/jpeg": CaseMediaKind.IMAGE, "application/pdf": CaseMediaKind.PDF}


def create_case(user, case, partner_ids=()):
    """Save a member's new case as a draft."""
    require(can(user, "case.create", case.organization))
    with transaction.atomic():
        case.state = CaseState.DRAFT
        case.state_changed_at = timezone.now()
        case.save()
        set_partners(case, partner_ids)
        log_event("case.created", actor=user, organization=case.organization, to_state=CaseState.DRAFT,
                  data={"case": case.pk, "kind": case.kind}, visible_to_applicant=True)
    return case


def update_case(user, case, fields, partner_ids=None):
    """Save the member's changes to a case being prepared or returned (and, given, its partners)."""
    with transaction.atomic():
        # The state is read again under a lock: a case submitted meanwhile is no longer the member's to change.
        current = Case.objects.select_for_update(of=("self",)).select_related("organization").get(pk=case.pk)
        require(can(user, "case.edit", current))
        # What the workflow and staff recorded stays as it is now (the form's copy of the row may be older).
        for name in ("state", "return_reason", "submitted_by_id", "reviewed_by_id", "counts_toward_target",
                     "designated_by_id", "published_at", "state_changed_at"):
            setattr(case, name, getattr(current, name))
        case.save()
        if partner_ids is not None:
            set_partners(case, partner_ids)
        log_event("case.updated", actor=user, organization=case.organization,
                  data={"case": case.pk, "fields": sorted(fields)}, visible_to_applicant=True)
    return case


def set_partners(case, partner_ids):
    """The other members involved: active members of the plan only; any other id is refused."""
    from .case_partners import checked_partners

    case.partners.set(checked_partners(case, partner_ids))


def linked_pairings(case) -> list:
    """The pairings behind a case: the public pairings of its organisation that formed a scenario application
    or a pilot case (pairings.public_of; none while pairings are not public)."""
    from ..enums import PairingState
    from . import pairings

    return [p for p in pairings.public_of(case.organization) if p.state == PairingState.FORMED]


def add_media(user, case, uploaded):
    """An image or a PDF of a case being prepared, through the same checks as every upload."""
    content_type, sha256 = checked_with_digest(uploaded)
    if content_type not in MEDIA_TYPES:
        raise ServiceError(_g("A case takes images (PNG, JPEG) and PDF documents."), field="file")
    with transaction.atomic():
        case = Case.objects.select_for_update().select_related("organization").get(pk=case.pk)
        require(can(user, "case.edit", case))
        if case.media.count() >= MAX_MEDIA:
            raise ServiceError(_g("A case can have at most %(n)d files; delete one first.") % {"n": MAX_MEDIA},
                               code="too_many", field="file")
        media = CaseMedia(case=case, kind=MEDIA_TYPES[content_type], original_name=clean_name(uploaded.name),
                          content_type=content_type, size=uploaded.size, sha256=sha256)
        media.file.save("upload", uploaded, save=False)
        media.save()
        log_event("case.media_added", actor=user, organization=case.organization,
                  data={"case": case.pk, "media": media.pk, "sha256": sha256}, visible_to_applicant=True)
    return media


def fire(user, case, action, **inputs):
    """Fire a case action for a person (portal, staff pages and API all come here)."""
    if "reason" in inputs:
        reason = (inputs["reason"] or "").strip()
        if len(reason) > TEXT_LIMIT:
            raise ServiceError(_g("%(what)s can have at most %(n)d characters.") % {"what": _g("The reason"),
                                                                                  "n": TEXT_LIMIT})
        inputs["reason"] = reason
    return engine.fire("case", case.pk, action, engine.Actor(user=user), **inputs)


# --- Effects of the case process --------------------------------------------------------------------------

def _check_complete(case, actor, inputs):
    if not case.scenario.strip() or not case.results.strip():
        raise engine.TransitionError(_g("Describe the scenario and the results before submitting."),
                                     code="incomplete")


PROCESS.check("submit")(_check_complete)
PROCESS.check("resubmit")(_check_complete)


@PROCESS.effect("submit")
def _on_submit(case, actor, inputs):
    case.submitted_by = actor.user
    return {"case": case.pk}


@PROCESS.effect("resubmit")
def _on_resubmit(case, actor, inputs):
    case.submitted_by = actor.user
    return {"case": case.pk}


@PROCESS.effect("start_review")
def _on_start(case, actor, inputs):
    case.reviewed_by = actor.user
    return {"case": case.pk}


@PROCESS.effect("publish")
def _on_publish(case, actor, inputs):
    case.reviewed_by = actor.user
    case.published_at = timezone.now()
    case.return_reason = ""
    return {"case": case.pk, "year": case.year, "kind": case.kind}


@PROCESS.effect("return")
def _on_return(case, actor, inputs):
    case.reviewed_by = actor.user
    case.return_reason = inputs["reason"]
    return {"case": case.pk, "reason": case.return_reason}


def record_case_transition(case, transition, actor, inputs, data, source):
    """The audit event of a case transition, and mail to the organisation's people when staff decide."""
    log_event(transition.code, actor=actor, organization=case.organization, from_state=source,
              to_state=transition.target, data={"action": transition.action, **data},
              visible_to_applicant=transition.visible_to_applicant)
    if transition.action in ("publish", "return"):
        ctx = {"organization": case.organization.name, "organization_id": case.organization_id, "title": case.title,
               "state": case.state, "reason": case.return_reason, "case": case.pk}
        stamp = case.state_changed_at.timestamp() if case.state_changed_at else 0
        for person in User.objects.filter(org_links__organization=case.organization,
                                          org_links__role__in=[OrgRole.OWNER, OrgRole.COLLEAGUE])[:20]:
            record("case.decided", recipient=person, context=ctx, dedupe_key=f"case.decided:{case.pk}:{stamp}:{person.pk}")


# --- The showcase and the targets ------------------------------------------------------------------------

def published_cases():
    return Case.objects.filter(state=CaseState.PUBLISHED)


def showcase(*, industry=None, partner_type=None, year=None, district=None, kind=None):
    """Published cases filtered as the public showcase offers (values already parsed by the caller)."""
    qs = published_cases().select_related("organization__district", "industry")
    if industry:
        qs = qs.filter(industry_id=industry)
    if year:
        qs = qs.filter(year=year)
    if district:
        qs = qs.filter(organization__district_id=district)
    if kind:
        qs = qs.filter(kind=kind)
    if partner_type:
        qs = qs.filter(organization__membership__state=MembershipState.ACTIVE,
                       organization__membership__grants__partner_type=partner_type).distinct()
    return qs


def designate(user, case, counts=True):
    """Staff say whether a published case counts toward its year's target."""
    require(can(user, "case.designate"))
    with transaction.atomic():
        case = Case.objects.select_for_update(of=("self",)).select_related("organization").get(pk=case.pk)
        if counts and case.state != CaseState.PUBLISHED:
            raise ServiceError(_g("Only a published case can count toward a target."), code="conflict")
        if case.counts_toward_target == counts:
            return case
        case.counts_toward_target = counts
        case.designated_by = user if counts else None
        case.save(update_fields=["counts_toward_target", "designated_by"])
        log_event("case.designated" if counts else "case.undesignated", actor=user, organization=case.organization,
                  data={"case": case.pk, "year": case.year, "kind": case.kind})
    return case


TARGET_YEARS = (2023, 2100)  # the plan began in 2023; the same range as a case's year
TARGET_LIMIT = 1000  # a year's target per kind of case: the plan asks for 10+, so a thousand is past any sane one


def _target_number(value, field):
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= TARGET_LIMIT:
        raise ServiceError(_g("A target is a whole number from 1 to %(n)d.") % {"n": TARGET_LIMIT}, field=field)
    return value


def set_target(user, year, *, applications, solutions):
    """Staff set a year's targets (benchmark applications, industry solutions); the dashboard counts against them."""
    require(can(user, "target.edit"))
    if isinstance(year, bool) or not isinstance(year, int) or not TARGET_YEARS[0] <= year <= TARGET_YEARS[1]:
        raise ServiceError(_g("Enter a year between 2023 and 2100."), field="year")
    applications = _target_number(applications, "applications")
    solutions = _target_number(solutions, "solutions")
    with transaction.atomic():
        previous = YearTarget.objects.select_for_update().filter(year=year).first()
        target, _created = YearTarget.objects.update_or_create(
            year=year, defaults={"applications": applications, "solutions": solutions})
        log_event("target.changed", actor=user, data={
            "year": year, "applications": applications, "solutions": solutions,
            "previous": {"applications": previous.applications, "solutions": previous.solutions} if previous else None})
    return target


@dataclass
class Progress:
    year: int
    kind: str
    label: str
    target: int
    count: int

    @property
    def reached(self) -> bool:
        return self.count >= self.target

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.count / self.target)) if self.target else 100


def designated_cases(year=None):
    qs = published_cases().filter(counts_toward_target=True)
    return qs.filter(year=year) if year is not None else qs


def target_progress(years=None) -> list[Progress]:
    """For each year with a target or a designated case: count vs target, per kind of case (two queries)."""
    targets = {t.year: t for t in YearTarget.objects.all()}
    counts = dict(((year, kind), n) for year, kind, n in designated_cases().values_list("year", "kind")
                  .annotate(n=Count("pk")).values_list("year", "kind", "n"))
    all_years = sorted(set(targets) | {year for year, _kind in counts}, reverse=True)
    if years is not None:
        all_years = [y for y in all_years if y in set(years)] or sorted(set(years), reverse=True)
    result = []
    for year in all_years:
        target = targets.get(year)
        for kind in CaseKind:
            goal = getattr(target, "applications" if kind == CaseKind.APPLICATION else "solutions", DEFAULT_TARGET)
            result.append(Progress(year, kind.value, str(kind.label), goal, counts.get((year, kind.value), 0)))
    return result


def cases_by_year_and_kind() -> dict:
    return dict(((y, k), n) for y, k, n in published_cases().values_list("year", "kind").annotate(n=Count("pk"))
                .values_list("year", "kind", "n"))


def open_in_queue():
    return Case.objects.filter(Q(state=CaseState.SUBMITTED) | Q(state=CaseState.IN_REVIEW))
