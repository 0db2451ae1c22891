"""docker-compose.yml and the Dockerfile name only modules, files and commands that exist in the repository."""

import importlib
import re
import shlex
from pathlib import Path

import pytest
import yaml
from django.core.management import get_commands
from django.urls import resolve

ROOT = Path(__file__).resolve().parent.parent
REQUIRED = {"postgres", "redis", "web", "worker", "beat", "mail"}
APP_SERVICES = {"web", "worker", "beat"}


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def as_argv(command) -> list[str]:
    return shlex.split(command) if isinstance(command, str) else list(command)


def commands_of(argv) -> list[list[str]]:
    """`sh -c "a && b"` runs several commands; each is checked on its own."""
    if argv[:2] == ["sh", "-c"]:
        return [shlex.split(part) for part in re.split(r"&&|;|\|\|", argv[2]) if part.strip()]
    return [argv]


def dockerfile_cmd() -> list[str]:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    return yaml.safe_load(re.search(r"^CMD (\[.*\])$", text, re.M).group(1))


def check_command(argv):
    """Every file, module, attribute, Celery app and management command the command names must exist."""
    program = argv[0]
    for i, arg in enumerate(argv):
        if re.fullmatch(r"[A-Za-z_][\w.]*:[A-Za-z_]\w*", arg):
            module, attr = arg.split(":")
            assert hasattr(importlib.import_module(module), attr), arg
        elif arg.endswith(".py"):
            assert (ROOT / arg).is_file(), arg
        elif program == "celery" and argv[i - 1] in ("-A", "--app"):
            app = importlib.import_module(f"{arg}.celery")
            assert app.app.main == arg
    if program == "celery":
        assert argv[argv.index("-A") + 2] in {"worker", "beat", "inspect"}
    if program == "python" and argv[1] == "manage.py":
        assert argv[2] in get_commands(), argv
    if program == "python" and argv[1] == "-c":
        compile(argv[2], "<healthcheck>", "exec")


def test_every_service_is_there_with_a_healthcheck(compose):
    services = compose["services"]
    assert REQUIRED <= set(services)
    for name in REQUIRED:
        test = services[name].get("healthcheck", {}).get("test")
        assert test and test[0] in ("CMD", "CMD-SHELL"), name


def test_every_command_names_modules_that_exist(compose):
    checked = 0
    for name, service in compose["services"].items():
        argvs = []
        if "command" in service:
            argvs += commands_of(as_argv(service["command"]))
        test = service.get("healthcheck", {}).get("test", [])
        if name in APP_SERVICES and test and test[0] == "CMD":
            argvs.append(test[1:])
        for argv in argvs:
            check_command(argv)
            checked += 1
    check_command(dockerfile_cmd())
    assert checked >= 6


def test_app_services_share_the_image_and_run_what_they_should(compose):
    services = compose["services"]
    for name in APP_SERVICES:
        assert services[name]["image"] == "partner-plan-registry"
        assert services[name]["build"] == "."
    web = " ".join(as_argv(services["web"]["command"]))
    assert "gunicorn" in web
    # Migrations run before the web starts, as the owner role; everything that serves uses the application role.
    assert as_argv(services["migrate"]["command"])[1:3] == ["manage.py", "migrate"]
    assert services["web"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["depends_on"]["db-roles"]["condition"] == "service_completed_successfully"
    assert as_argv(services["db-roles"]["command"])[1:3] == ["manage.py", "db_roles"]
    assert services["migrate"]["environment"]["DATABASE_URL"].startswith("postgres://registry_owner:")
    for name in APP_SERVICES:
        assert services[name]["environment"]["DATABASE_URL"].startswith("postgres://registry_app:"), name
    assert as_argv(services["worker"]["command"])[:4] == ["celery", "-A", "registry", "worker"]
    assert as_argv(services["beat"]["command"])[:4] == ["celery", "-A", "registry", "beat"]
    assert services["beat"]["depends_on"]["web"]["condition"] == "service_healthy"


def test_web_healthcheck_calls_an_existing_url(compose):
    code = compose["services"]["web"]["healthcheck"]["test"][-1]
    path = re.search(r"http://127\.0\.0\.1:8000(/[^'\"]*)", code).group(1)
    assert resolve(path).func.__name__ == "health"


def test_environment_names_settings_that_are_read(compose):
    settings_text = (ROOT / "registry" / "settings.py").read_text(encoding="utf-8")
    for name in compose["services"]["web"]["environment"]:
        assert f'"{name}"' in settings_text, name


def test_the_checker_catches_a_missing_module():
    with pytest.raises((ModuleNotFoundError, AssertionError)):
        check_command(["gunicorn", "-c", "registry/gunicorn.conf.py", "registry.wsgi_missing:application"])
    with pytest.raises(AssertionError):
        check_command(["gunicorn", "-c", "registry/missing.conf.py", "registry.wsgi:application"])
    with pytest.raises(AssertionError):
        check_command(["python", "manage.py", "no_such_command"])


def test_gunicorn_forks_a_loaded_application_and_recycles_workers_rarely():
    """A worker that imports Django on every recycle keeps its share of the requests waiting about a second;
    loaded once in the master and forked, it starts at once."""
    import runpy

    conf = runpy.run_path(str(ROOT / "registry" / "gunicorn.conf.py"))
    assert conf["preload_app"] is True
    assert conf["max_requests"] >= 10_000 and 0 < conf["max_requests_jitter"] < conf["max_requests"]
    assert conf["worker_class"] == "sync"


def test_gunicorn_hides_the_loaded_application_from_the_garbage_collector_before_forking():
    """What the master loaded is frozen before each fork, so a worker's collections walk only its own objects."""
    import gc
    import runpy

    conf = runpy.run_path(str(ROOT / "registry" / "gunicorn.conf.py"))
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    try:
        conf["pre_fork"](server=None, worker=None)
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
