"""`manage.py run_periodic [job ...] [--loop] [--list]`: the periodic jobs without Celery beat.

With no job named it runs the jobs that are due, once; `--loop` keeps running them as they fall due (`make run`
starts it beside the web server); a job named runs now, due or not. The jobs, their code and their schedule are
those Celery beat runs (partners/services/periodic.py).
"""

import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from partners.services import periodic


class Command(BaseCommand):
    help = ("Run the periodic jobs (end of public notice, reminders, digests, outbox sweep, retention purges) "
            "without Celery beat: the due ones once, in a loop, or the ones named now.")

    def add_arguments(self, parser):
        parser.add_argument("jobs", nargs="*", metavar="job",
                            help="run these jobs now, due or not (see --list for the names)")
        parser.add_argument("--loop", action="store_true", help="keep running the jobs as they fall due")
        parser.add_argument("--list", action="store_true", help="list the jobs, their schedule and last run")

    def handle(self, *args, jobs=(), loop=False, list=False, **options):  # noqa: A002 - the option's name
        if list:
            return self.list_jobs()
        if jobs and loop:
            raise CommandError("name jobs to run them now, or --loop to run every job when due; not both")
        if jobs:
            try:
                chosen = periodic.resolve(jobs)
            except periodic.UnknownJob as exc:
                raise CommandError(str(exc)) from exc
            for job in chosen:
                result = periodic.run_job(job)
                self.stdout.write(f"{job.name}: {result}")
            return None
        if loop:
            if settings.CELERY_BROKER_URL:
                raise CommandError("CELERY_BROKER_URL is set, so Celery beat runs these jobs; a second runner "
                                   "would run them twice. Run a job by name instead.")
            return self.run_loop()
        results, _next_in = periodic.run_due(self.report)
        if not results:
            self.stdout.write("no job is due")
        return None

    def report(self, job, result):
        if isinstance(result, Exception):
            self.stderr.write(f"{timezone.localtime():%H:%M:%S} {job.name} failed: {result!r}")
        else:
            self.stdout.write(f"{timezone.localtime():%H:%M:%S} {job.name}: {result}")
        self.stdout.flush()

    def run_loop(self):
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        self.stdout.write("running the periodic jobs as they fall due (Ctrl-C to stop)")
        self.stdout.flush()
        periodic.loop(stop, self.report)

    def list_jobs(self):
        from django_celery_beat.models import PeriodicTask

        rows = {row.name: row for row in PeriodicTask.objects.all()}
        for job in periodic.jobs().values():
            row = rows.get(job.entry)
            last = timezone.localtime(row.last_run_at).strftime("%Y-%m-%d %H:%M") if row and row.last_run_at \
                else "never"
            state = "" if row is None or row.enabled else " (disabled)"
            self.stdout.write(f"{job.name:<24} {job.schedule_text():<32} last run: {last}{state}")
