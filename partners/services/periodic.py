"""The periodic jobs without Celery beat: the same tasks, on the same schedule rows, run in this process.

Celery beat (DatabaseScheduler) reads the schedule from django-celery-beat's `PeriodicTask` rows, which the
migration and `manage.py setup_periodic_tasks` install from `partners.tasks.PERIODIC_TASKS`. Without a broker
(`make run`) no beat runs, so `manage.py run_periodic` reads the same rows, decides what is due with beat's own
`ModelEntry.is_due()`, runs the task's code here (`Task.apply()`, the code the worker runs) and records the run
in the same row, as beat does. A job is named by its task's function name: `end_publicity_periods`,
`sweep_outbox`, `send_reminders`, `send_digests`, `purge_security_log`, `purge_attachments`, `send_member_reminders`,
`escalate_member_requests`, `run_annual_update`.
"""

import logging
import threading
from dataclasses import dataclass

from django.db import close_old_connections
from django.db.models import F
from django.utils import timezone

log = logging.getLogger(__name__)

LOOP_MAX_SLEEP_SECONDS = 30  # a changed schedule or a job made due by hand waits at most this long


class UnknownJob(Exception):
    pass


@dataclass(frozen=True)
class Job:
    name: str  # the task's function name, what the command line takes
    entry: str  # the PeriodicTask row's name (beat's entry)
    task: str  # the Celery task's dotted name

    def schedule_text(self) -> str:
        from partners.tasks import PERIODIC_TASKS

        spec = PERIODIC_TASKS[self.entry]
        if "every_seconds" in spec:
            return f"every {spec['every_seconds']} s"
        cron = spec["crontab"]
        return f"daily at {int(cron.get('hour', 0)):02d}:{int(cron.get('minute', 0)):02d} (Beijing time)"


def jobs() -> dict[str, Job]:
    """Every periodic job by name, in the order of the schedule."""
    from partners.tasks import PERIODIC_TASKS

    return {spec["task"].rsplit(".", 1)[1]: Job(spec["task"].rsplit(".", 1)[1], entry, spec["task"])
            for entry, spec in PERIODIC_TASKS.items()}


def resolve(names) -> list[Job]:
    known = jobs()
    unknown = [n for n in names if n not in known]
    if unknown:
        raise UnknownJob(f"no such job: {', '.join(unknown)} (known: {', '.join(known)})")
    return [known[n] for n in names]


def _celery_app():
    from registry.celery import app

    app.loader.import_default_modules()  # autodiscovery: every task module, as the worker loads them
    return app


def _rows():
    """The schedule rows of our jobs; missing ones are installed (as `setup_periodic_tasks` would)."""
    from django_celery_beat.models import PeriodicTask

    from partners.tasks import install_periodic_tasks

    wanted = {job.entry for job in jobs().values()}
    rows = {row.name: row for row in PeriodicTask.objects.filter(name__in=wanted)}
    if set(rows) != wanted:
        install_periodic_tasks()
        rows = {row.name: row for row in PeriodicTask.objects.filter(name__in=wanted)}
    return rows


def _claim(row, previous_run) -> bool:
    """Record the run in the row before running, only if nobody else recorded one meanwhile."""
    from django_celery_beat.models import PeriodicTask

    return bool(PeriodicTask.objects.filter(pk=row.pk, last_run_at=previous_run)
                .update(last_run_at=timezone.now(), total_run_count=F("total_run_count") + 1))


def run_job(job: Job):
    """Run one job now, here, through its Celery task; returns what the task returned. Raises what it raised."""
    app = _celery_app()
    row = _rows().get(job.entry)
    if row is not None:
        _claim(row, row.last_run_at)
    started = timezone.now()
    result = app.tasks[job.task].apply(throw=True).get()
    log.info("periodic job %s finished in %.1f s: %r", job.name, (timezone.now() - started).total_seconds(),
             result)
    return result


def due_jobs() -> tuple[list[tuple[Job, object]], float]:
    """The jobs due now, each with its row, and the seconds until the next one falls due."""
    from django_celery_beat.schedulers import ModelEntry

    app = _celery_app()
    rows = _rows()
    due, next_in = [], float(LOOP_MAX_SLEEP_SECONDS)
    for job in jobs().values():
        row = rows[job.entry]
        if not row.enabled:  # switched off in the admin, as beat would skip it
            continue
        previous_run = row.last_run_at
        state = ModelEntry(row, app=app).is_due()  # beat's own decision (it may fill in row.last_run_at)
        row.last_run_at = previous_run
        if state.is_due:
            due.append((job, row))
        next_in = min(next_in, max(float(state.next), 0.0))
    return due, next_in


def run_due(report=None) -> tuple[dict, float]:
    """Run every due job once; a failing job is logged and does not stop the others.

    Returns ({job name: result or the exception}, seconds until the next job falls due)."""
    app = _celery_app()
    results = {}
    due, next_in = due_jobs()
    for job, row in due:
        if not _claim(row, row.last_run_at):
            continue  # another runner took it
        try:
            results[job.name] = app.tasks[job.task].apply(throw=True).get()
        except Exception as exc:  # noqa: BLE001 - the next job still runs
            log.exception("periodic job %s failed", job.name)
            results[job.name] = exc
        if report:
            report(job, results[job.name])
    return results, next_in


def loop(stop: threading.Event, report=None):
    """Run jobs as they fall due until `stop` is set."""
    while not stop.is_set():
        close_old_connections()
        try:
            _results, next_in = run_due(report)
        except Exception:  # noqa: BLE001 - a database hiccup must not end the loop
            log.exception("periodic jobs: the schedule could not be read")
            next_in = LOOP_MAX_SLEEP_SECONDS
        close_old_connections()
        stop.wait(min(max(next_in, 1.0), LOOP_MAX_SLEEP_SECONDS))
