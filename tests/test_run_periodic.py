"""`manage.py run_periodic`: the periodic jobs in every run mode, the same tasks on the same schedule rows as beat.

The bug this guards: in the embedded default (`make run`, no broker) no beat ran, so a public notice never ended
and an operator needed a Django shell to admit the member.
"""

import re
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from partners.enums import ApplicationState
from partners.models import Application
from partners.services import periodic
from partners.tasks import PERIODIC_TASKS
from tests.factories import advance, submitted_application

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
EXPECTED_JOBS = {"sweep_outbox", "end_publicity_periods", "send_reminders", "send_digests", "purge_security_log",
                 "purge_attachments"}


def _row(job_name) -> PeriodicTask:
    return PeriodicTask.objects.get(name=periodic.jobs()[job_name].entry)


def _last_run_all(when):
    PeriodicTask.objects.filter(name__in=PERIODIC_TASKS).update(last_run_at=when)


def _ended_notice(applicant, reviewer, approver):
    application = advance(submitted_application(applicant), ApplicationState.PUBLICITY, reviewer=reviewer,
                          approver=approver)
    Application.objects.filter(pk=application.pk).update(publicity_ends_at=timezone.now() - timedelta(minutes=1))
    return application


def test_every_job_beat_runs_is_a_job_here():
    jobs = periodic.jobs()
    assert EXPECTED_JOBS <= set(jobs)
    assert {job.entry for job in jobs.values()} == set(PERIODIC_TASKS)
    from registry.celery import app

    app.loader.import_default_modules()
    for job in jobs.values():
        assert job.task in app.tasks, job


def test_a_job_named_runs_now_and_ends_a_public_notice(applicant, reviewer, approver, capsys):
    application = _ended_notice(applicant, reviewer, approver)
    _last_run_all(timezone.now())  # nothing is due: the name alone makes it run
    call_command("run_periodic", "end_publicity_periods")
    application.refresh_from_db()
    assert application.state == ApplicationState.ADMITTED
    assert "end_publicity_periods: 1" in capsys.readouterr().out
    row = _row("end_publicity_periods")
    assert row.total_run_count == 1 and timezone.now() - row.last_run_at < timedelta(minutes=1)


def test_an_unknown_job_is_refused_with_the_known_names():
    with pytest.raises(CommandError, match="no such job: nope.*end_publicity_periods"):
        call_command("run_periodic", "nope")


def test_only_due_jobs_run_on_beats_schedule(applicant, reviewer, approver):
    application = _ended_notice(applicant, reviewer, approver)
    _last_run_all(timezone.now())
    results, next_in = periodic.run_due()
    assert results == {} and 0 < next_in <= periodic.LOOP_MAX_SLEEP_SECONDS
    # The end-of-notice job's 15 minutes have passed: it alone is due, and runs once.
    PeriodicTask.objects.filter(pk=_row("end_publicity_periods").pk).update(
        last_run_at=timezone.now() - timedelta(minutes=16))
    results, _next_in = periodic.run_due()
    assert results == {"end_publicity_periods": 1}
    application.refresh_from_db()
    assert application.state == ApplicationState.ADMITTED
    assert periodic.run_due()[0] == {}


def test_a_daily_job_missed_while_stopped_runs_once_when_started():
    _last_run_all(timezone.now())
    PeriodicTask.objects.filter(pk=_row("send_digests").pk).update(last_run_at=timezone.now() - timedelta(days=2))
    assert set(periodic.run_due()[0]) == {"send_digests"}
    assert periodic.run_due()[0] == {}
    assert _row("send_digests").total_run_count == 1


def test_a_job_switched_off_in_the_admin_does_not_run():
    _last_run_all(timezone.now() - timedelta(days=2))
    PeriodicTask.objects.filter(pk=_row("send_digests").pk).update(enabled=False)
    results, _next_in = periodic.run_due()
    assert "send_digests" not in results and "send_reminders" in results


def test_a_failing_job_does_not_stop_the_others(monkeypatch):
    _last_run_all(timezone.now() - timedelta(days=2))

    def broken(*args, **kwargs):
        raise RuntimeError("the digest broke")

    monkeypatch.setattr("partners.services.digest.send_digests", broken)
    results, _next_in = periodic.run_due()
    assert isinstance(results["send_digests"], RuntimeError)
    assert set(results) == set(periodic.jobs())  # every other job ran
    assert all(not isinstance(v, Exception) for k, v in results.items() if k != "send_digests")


def test_a_job_another_runner_claimed_is_not_run_twice():
    _last_run_all(timezone.now() - timedelta(days=2))
    due, _next_in = periodic.due_jobs()
    job, row = next((j, r) for j, r in due if j.name == "sweep_outbox")
    assert periodic._claim(row, row.last_run_at)  # the first runner
    assert not periodic._claim(row, row.last_run_at)  # a second one with the same view of the row


def test_the_loop_runs_due_jobs_until_stopped(monkeypatch):
    # The loop drops stale connections between rounds; here that would drop the test's transaction.
    monkeypatch.setattr(periodic, "close_old_connections", lambda: None)
    _last_run_all(timezone.now())
    PeriodicTask.objects.filter(pk=_row("sweep_outbox").pk).update(last_run_at=timezone.now() - timedelta(hours=1))
    stop, ran = threading.Event(), []

    def report(job, result):
        ran.append(job.name)
        stop.set()

    periodic.loop(stop, report)
    assert ran == ["sweep_outbox"]


def test_the_loop_refuses_to_run_beside_a_broker(settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/0"
    with pytest.raises(CommandError, match="beat runs these jobs"):
        call_command("run_periodic", "--loop")


def test_list_shows_every_job_with_its_schedule(capsys):
    call_command("run_periodic", "--list")
    out = capsys.readouterr().out
    for name in EXPECTED_JOBS:
        assert re.search(rf"^{name}\s", out, re.M), out
    assert "every 900 s" in out and "daily at 09:00" in out


def test_make_run_starts_the_loop_beside_the_web_server():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^run: .*?\n((?:\t.*\n)+)", makefile, re.M).group(1)
    assert "manage.py run_periodic --loop &" in recipe and "manage.py runserver" in recipe
    assert "trap" in recipe  # the loop ends with the server
