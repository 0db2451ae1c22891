"""The expert panel: rubrics per call and partner type, assignment of experts, conflicts of interest, scores.

An expert's review is a process of the workflow engine (partners/workflow/panel.py): the declaration and the
submission of scores fire its transitions; saving draft scores is an edit inside the `scoring` state.
"""

from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _g

from ..enums import ExpertAssignmentState as E
from ..enums import StaffRole
from ..models import Criterion, ExpertAssignment, ExpertScore, OrganizationMember, PanelExpert, Rubric, User
from ..permissions import can, has_role
from ..workflow import engine
from ..workflow.panel import PROCESS
from .applications import ServiceError, require
from .audit import log_event
from .panel_scores import summarise

COMMENT_LIMIT = 5000
MAX_CRITERIA = 20
MAX_EXPERTS_PER_APPLICATION = 9


# --- Rubrics ------------------------------------------------------------------------------------------------

def copy_rubrics(source_call, target_call):
    """A new call starts with the rubrics of the previous one; staff change them from there."""
    for rubric in source_call.rubrics.prefetch_related("criteria"):
        if Rubric.objects.filter(call=target_call, partner_type=rubric.partner_type).exists():
            continue
        copy = Rubric.objects.create(call=target_call, partner_type=rubric.partner_type,
                                     scale_min=rubric.scale_min, scale_max=rubric.scale_max)
        Criterion.objects.bulk_create([
            Criterion(rubric=copy, position=c.position, name=c.name, name_en=c.name_en, weight=c.weight,
                      score_guidance=c.score_guidance) for c in rubric.criteria.all()])


def save_rubric(user, call, partner_type, criteria, *, scale_min=1, scale_max=5):
    """Replace the rubric of one partner type in a call. `criteria`: dicts of name, name_en, weight, score_guidance.

    Refused once an expert submitted scores against it: the scores must keep their meaning.
    """
    require(can(user, "call.manage"))
    if not (0 <= scale_min < scale_max <= 100):
        raise ServiceError(_g("The scale needs a lowest score below its highest score (0 to 100)."), field="scale")
    if not criteria or len(criteria) > MAX_CRITERIA:
        raise ServiceError(_g("A rubric has 1 to %(n)d criteria.") % {"n": MAX_CRITERIA}, field="criteria")
    cleaned = []
    for position, item in enumerate(criteria):
        name = str(item.get("name") or "").strip()[:200]
        try:
            weight = Decimal(str(item.get("weight", "1")))
        except ArithmeticError:
            weight = Decimal(0)
        if not name or not (Decimal(0) < weight < Decimal(1000)):
            raise ServiceError(_g("Every criterion needs a name and a positive weight."), field="criteria")
        guidance = item.get("score_guidance") or {}
        if not isinstance(guidance, dict):
            raise ServiceError(_g("Every criterion needs a name and a positive weight."), field="criteria")
        cleaned.append(Criterion(position=position, name=name, name_en=str(item.get("name_en") or "")[:200],
                                 weight=weight.quantize(Decimal("0.01")), score_guidance=guidance))
    with transaction.atomic():
        rubric, _created = Rubric.objects.select_for_update().get_or_create(call=call, partner_type=partner_type)
        if ExpertScore.objects.filter(criterion__rubric=rubric, assignment__state=E.SUBMITTED).exists():
            raise ServiceError(_g("Experts already submitted scores against this rubric; it can no longer change."),
                               code="locked")
        ExpertScore.objects.filter(criterion__rubric=rubric).delete()
        rubric.criteria.all().delete()
        rubric.scale_min, rubric.scale_max = scale_min, scale_max
        rubric.save()
        for criterion in cleaned:
            criterion.rubric = rubric
        Criterion.objects.bulk_create(cleaned)
        log_event("call.rubric_saved", actor=user,
                  data={"call": str(call.public_id), "partner_type": partner_type, "criteria": len(cleaned)})
    return rubric


def rubrics_of(application):
    """The rubrics that apply: the application's call, one per requested partner type."""
    if application.call_id is None:
        return []
    return list(Rubric.objects.filter(call_id=application.call_id, partner_type__in=application.partner_types)
                .prefetch_related("criteria").order_by("partner_type"))


# --- The panel ----------------------------------------------------------------------------------------------

def invite_expert(user, call, expert):
    require(can(user, "call.manage"))
    if not has_role(expert, StaffRole.EXPERT):
        raise ServiceError(_g("This account is not a panel expert."), field="expert")
    link, created = PanelExpert.objects.get_or_create(call=call, expert=expert)
    if created:
        log_event("call.expert_invited", actor=user, data={"call": str(call.public_id), "expert": expert.pk})
    return link


def credit_code_root(code: str) -> str:
    """The organisation code inside a unified social credit code (positions 9–17, GB 11714): organisations
    that share it are the same legal body registered again."""
    code = (code or "").strip().upper()
    return code[8:17] if len(code) == 18 else ""


def visible_relation(expert, application) -> str:
    """A relation the registry can see between the expert and the applicant, or "" (it blocks the assignment)."""
    organization = application.organization
    own = list(OrganizationMember.objects.filter(user=expert).select_related("organization"))
    if any(link.organization_id == organization.pk for link in own):
        return _g("The expert acts for this organisation.")
    root = credit_code_root(organization.credit_code)
    if root and any(credit_code_root(link.organization.credit_code) == root for link in own):
        return _g("The expert acts for an organisation with the same credit code root.")
    contacts = {(application.contact_email or "").lower(), application.contact_phone or ""} - {""}
    if {expert.email.lower(), expert.phone or ""} & contacts:
        return _g("The expert is the application's contact person.")
    own_ids = [link.organization_id for link in own]
    if own_ids and contacts and OrganizationMember.objects.filter(organization_id__in=own_ids).filter(
            Q(user__email__in=contacts) | Q(user__phone__in=contacts)).exists():
        return _g("The application's contact person acts for the expert's organisation.")
    return ""


def assign_panel(user, call, applications, per_application=None):
    """Give each application N experts of the call's panel, balanced: the least-loaded eligible expert first.

    `applications` is every filtered result (not only a page). Experts with a visible relation, with a declared
    conflict or already assigned are skipped. Returns (assignments created, applications left short).
    """
    require(can(user, "panel.assign"))
    n = per_application or call.experts_per_application
    n = max(1, min(int(n), MAX_EXPERTS_PER_APPLICATION))
    experts = list(User.objects.filter(panels__call=call, is_active=True).order_by("pk"))
    created, short = 0, []
    with transaction.atomic():
        load = dict(ExpertAssignment.objects.filter(application__call=call, state__in=E.active_states())
                    .values_list("expert").annotate(n=Count("id")))
        for application in applications.select_related("organization").order_by("pk"):
            if application.call_id != call.pk:
                continue
            taken = set(ExpertAssignment.objects.filter(application=application).values_list("expert_id", flat=True))
            have = ExpertAssignment.objects.filter(application=application, state__in=E.active_states()).count()
            candidates = [e for e in experts if e.pk not in taken and not visible_relation(e, application)]
            candidates.sort(key=lambda e: (load.get(e.pk, 0), e.pk))
            for expert in candidates[:max(0, n - have)]:
                ExpertAssignment.objects.create(application=application, expert=expert, assigned_by=user,
                                                state_changed_at=timezone.now())
                load[expert.pk] = load.get(expert.pk, 0) + 1
                have += 1
                created += 1
                log_event("panel.assigned", actor=user, application=application, data={"expert": expert.pk})
            if have < n:
                short.append(application.pk)
    return created, short


# --- An expert's work ---------------------------------------------------------------------------------------

def my_assignments(user):
    return (ExpertAssignment.objects.filter(expert=user, state__in=E.active_states())
            .select_related("application", "application__organization", "application__call"))


def fire(user, assignment, action, **inputs):
    if "reason" in inputs:
        inputs["reason"] = (inputs["reason"] or "").strip()[:1000]
    return engine.fire("panel", assignment.pk, action, engine.Actor(user=user), **inputs)


@PROCESS.check("declare_none")
def _no_visible_relation(assignment, actor, inputs):
    reason = visible_relation(assignment.expert, assignment.application)
    if reason:
        raise engine.TransitionError(_g("This assignment is blocked: %(reason)s") % {"reason": reason},
                                     code="conflict_of_interest")


@PROCESS.effect("declare_none")
def _on_declare_none(assignment, actor, inputs):
    assignment.declared_at = timezone.now()
    return {}


@PROCESS.effect("declare_conflict")
def _on_declare_conflict(assignment, actor, inputs):
    assignment.declared_at = timezone.now()
    assignment.conflict_reason = inputs["reason"]
    return {"reason": inputs["reason"]}


@PROCESS.check("submit_scores")
def _all_scored(assignment, actor, inputs):
    missing = missing_scores(assignment)
    if missing:
        raise engine.TransitionError(_g("Score every criterion before submitting: %(names)s.")
                                     % {"names": ", ".join(missing)}, code="incomplete")


@PROCESS.effect("submit_scores")
def _on_submit_scores(assignment, actor, inputs):
    assignment.submitted_at = timezone.now()
    return {}


def missing_scores(assignment) -> list[str]:
    scored = set(assignment.scores.values_list("criterion_id", flat=True))
    return [c.name for rubric in rubrics_of(assignment.application) for c in rubric.criteria.all()
            if c.pk not in scored]


def save_scores(user, assignment, scores: dict, comment: str = ""):
    """Save the expert's draft scores and comment; only in the `scoring` state, only by the expert."""
    comment = (comment or "").strip()
    if len(comment) > COMMENT_LIMIT:
        raise ServiceError(_g("The comment can have at most %(n)d characters.") % {"n": COMMENT_LIMIT},
                           field="comment")
    with transaction.atomic():
        assignment = ExpertAssignment.objects.select_for_update().select_related("application").get(pk=assignment.pk)
        if assignment.expert_id != user.pk:
            raise ServiceError(_g("Only the expert assigned to this application can do this."), code="forbidden")
        if assignment.state != E.SCORING:
            raise ServiceError(_g("Scores can be changed only after declaring no conflict and before submitting."),
                               code="conflict")
        criteria = {c.pk: (rubric, c) for rubric in rubrics_of(assignment.application) for c in rubric.criteria.all()}
        for key, value in scores.items():
            try:
                criterion_id, score = int(key), int(value)
            except (TypeError, ValueError):
                raise ServiceError(_g("A score must be a whole number."), field="scores") from None
            if criterion_id not in criteria:
                raise ServiceError(_g("Unknown criterion."), field="scores")
            rubric, criterion = criteria[criterion_id]
            if not rubric.scale_min <= score <= rubric.scale_max:
                raise ServiceError(_g("Scores of “%(name)s” run from %(lo)d to %(hi)d.") % {
                    "name": criterion.name, "lo": rubric.scale_min, "hi": rubric.scale_max}, field="scores")
            ExpertScore.objects.update_or_create(assignment=assignment, criterion=criterion,
                                                 defaults={"score": score})
        assignment.comment = comment
        assignment.save(update_fields=["comment"])
    return assignment


def may_see_panel(user, application) -> bool:
    """Staff who review see the panel; an expert sees the others' scores only after submitting their own."""
    if can(user, "panel.aggregate"):
        return True
    return ExpertAssignment.objects.filter(application=application, expert=user, state=E.SUBMITTED).exists()


def aggregate(application) -> list[dict]:
    """Per rubric: each criterion's mean and spread, the weighted totals, and whether the spread is large."""
    submitted = list(ExpertAssignment.objects.filter(application=application, state=E.SUBMITTED)
                     .select_related("expert").prefetch_related("scores").order_by("submitted_at", "pk"))
    result = []
    for rubric in rubrics_of(application):
        criteria = list(rubric.criteria.all())
        ids = {c.pk for c in criteria}
        sheets = []
        for assignment in submitted:
            sheet = {s.criterion_id: s.score for s in assignment.scores.all() if s.criterion_id in ids}
            if len(sheet) == len(ids) and ids:
                sheets.append(sheet)
        summary = summarise(sheets, {c.pk: c.weight for c in criteria}, rubric.scale_min, rubric.scale_max)
        result.append({
            "rubric": rubric,
            "criteria": [{"criterion": c, **summary["criteria"][c.pk]} for c in criteria],
            **{k: v for k, v in summary.items() if k != "criteria"},
        })
    return result


def citation(application) -> dict:
    """The panel's aggregate as plain values for the first-level recommendation to cite; empty while no expert has
    submitted scores. Per partner type: number of experts, mean, spread, and each criterion's mean and spread."""
    def text(value):
        return None if value is None else str(value)

    types = []
    for block in aggregate(application):
        if not block["experts"]:
            continue
        rubric = block["rubric"]
        types.append({
            "partner_type": rubric.partner_type, "experts": block["experts"], "mean": text(block["mean"]),
            "spread": text(block["spread"]), "large_spread": bool(block["large_spread"]),
            "scale": [rubric.scale_min, rubric.scale_max],
            "criteria": [{"name": row["criterion"].name, "name_en": row["criterion"].name_en,
                          "weight": text(row["criterion"].weight), "n": row["n"], "mean": text(row["mean"]),
                          "spread": text(row["spread"])} for row in block["criteria"]],
        })
    return {"types": types} if types else {}


def comments(application):
    return list(ExpertAssignment.objects.filter(application=application, state=E.SUBMITTED)
                .exclude(comment="").select_related("expert").order_by("submitted_at", "pk"))


def conflicts(application):
    """Declared conflicts, for staff: who declared and why."""
    return list(ExpertAssignment.objects.filter(application=application, state=E.CONFLICT).select_related("expert"))


# --- Reminders before the panel deadline --------------------------------------------------------------------

def remind_experts(now=None, days_before=2) -> int:
    """Once per assignment, remind experts whose scores are not in `days_before` days before the deadline."""
    from .notifications import record

    now = now or timezone.now()
    due = (ExpertAssignment.objects.filter(state__in=[E.ASSIGNED, E.SCORING], reminded_at__isnull=True,
                                           application__call__panel_deadline__gt=now,
                                           application__call__panel_deadline__lte=now + timezone.timedelta(
                                               days=days_before))
           .select_related("application__call", "expert"))
    sent = 0
    for assignment in due:
        with transaction.atomic():
            locked = ExpertAssignment.objects.select_for_update().get(pk=assignment.pk)
            if locked.reminded_at is not None:
                continue
            deadline = timezone.localtime(assignment.application.call.panel_deadline).strftime("%Y-%m-%d %H:%M")
            record("panel.reminder", recipient=assignment.expert,
                   context={"application_id": assignment.application_id, "deadline": deadline,
                            "call": assignment.application.call.title},
                   dedupe_key=f"panel.reminder:{assignment.pk}")
            locked.reminded_at = now
            locked.save(update_fields=["reminded_at"])
            sent += 1
    return sent


def record_panel_transition(assignment, transition, actor, inputs, data, source):
    """The audit event of a panel transition (the expert's name stays staff-only: not visible to the applicant)."""
    log_event(transition.code, actor=actor, application=assignment.application,
              data={"action": transition.action, "assignment": str(assignment.public_id), "from": source,
                    "to": transition.target, **data})
