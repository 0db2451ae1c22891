"""Daily reminders: waiting for a reviewer, waiting for a decision (escalating), idle drafts, notice ending.

Each reminder's dedupe key holds the item, the recipient and the day, so however often the job runs a
person hears about one item at most once a day.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from ..enums import ApplicationState as S
from ..enums import StaffRole
from ..models import Application
from .notifications import applicants_of, record, staff_with_role


def _days(name, default):
    return int(getattr(settings, name, default))


def _ctx(application, **extra):
    return {"application_id": application.pk, "organization": application.organization.name,
            "partner_types": application.partner_types, "state": application.state, **extra}


def _age_days(since, now):
    return max((now - since).days, 0)


def send_reminders(now=None) -> dict[str, int]:
    """Record every reminder due today; returns how many were recorded per kind."""
    now = now or timezone.now()
    today = timezone.localdate(now).isoformat()
    counts = {"reminder.unassigned": 0, "reminder.undecided": 0, "reminder.escalated": 0, "reminder.draft": 0,
              "reminder.publicity_ending": 0}

    def send(kind, people, application, **extra):
        for person in people:
            row = record(kind, recipient=person, application=application, context=_ctx(application, **extra),
                         dedupe_key=f"{kind}:{application.pk}:{person.pk}:{today}")
            counts[kind] += row is not None

    reviewers = list(staff_with_role(StaffRole.REVIEWER))
    approvers = list(staff_with_role(StaffRole.APPROVER))
    base = Application.objects.select_related("organization", "assigned_reviewer").prefetch_related(
        "requested_types")

    # Waiting for a reviewer: submitted (or back in first review) with nobody assigned.
    unassigned_days = _days("REMINDER_UNASSIGNED_DAYS", 3)
    for application in base.filter(state__in=[S.SUBMITTED, S.IN_REVIEW], assigned_reviewer__isnull=True,
                                   submitted_at__lte=now - timedelta(days=unassigned_days)):
        send("reminder.unassigned", reviewers, application, days=_age_days(application.submitted_at, now))

    # Assigned but undecided: remind the reviewer; past the escalation age, tell the approvers too.
    undecided_days = _days("REMINDER_UNDECIDED_DAYS", 5)
    escalate_days = _days("REMINDER_ESCALATE_DAYS", settings.REVIEW_SLA_DAYS)
    for application in base.filter(state__in=[S.SUBMITTED, S.IN_REVIEW], assigned_reviewer__isnull=False,
                                   assigned_at__lte=now - timedelta(days=undecided_days)):
        days = _age_days(application.assigned_at, now)
        reviewer = application.assigned_reviewer
        send("reminder.undecided", [reviewer] if reviewer.is_active else [], application, days=days)
        if days >= escalate_days:
            send("reminder.escalated", approvers, application, days=days, reviewer=str(reviewer))

    # Waiting in final review: the approvers who may decide it (not its first reviewer: four eyes).
    for application in base.filter(state=S.FINAL_REVIEW,
                                   state_changed_at__lte=now - timedelta(days=undecided_days)):
        people = [p for p in approvers if p.pk != application.first_reviewed_by_id]
        send("reminder.undecided", people, application, days=_age_days(application.state_changed_at, now))

    # Drafts left untouched: one reminder per stretch of inactivity (the key holds the last change's day).
    draft_days = _days("REMINDER_DRAFT_DAYS", 14)
    for application in base.filter(state=S.DRAFT, updated_at__lte=now - timedelta(days=draft_days)):
        idle_since = timezone.localdate(application.updated_at).isoformat()
        for person in applicants_of(application):
            row = record("reminder.draft", recipient=person, application=application,
                         context=_ctx(application, days=_age_days(application.updated_at, now)),
                         dedupe_key=f"reminder.draft:{application.pk}:{person.pk}:{idle_since}")
            counts["reminder.draft"] += row is not None

    # Public notice ending tomorrow (local time): the applicant and the approvers.
    tomorrow = timezone.localdate(now) + timedelta(days=1)
    for application in base.filter(state=S.PUBLICITY, publicity_ends_at__isnull=False).filter(
            Q(publicity_ends_at__date=tomorrow)):
        people = list(applicants_of(application)) + approvers
        send("reminder.publicity_ending", people, application,
             publicity_ends_at=application.publicity_ends_at.isoformat())

    # Experts whose scores are not in shortly before their panel's deadline (once per assignment).
    from .panel import remind_experts

    counts["panel.reminder"] = remind_experts(now, days_before=settings.PANEL_REMINDER_DAYS)
    return counts

