# Set-up and everyday commands. `make run` and `make test` work on a fresh machine.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-fast lint install migrate seed messages worker beat backup restore bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

messages: install
	@command -v msgfmt >/dev/null 2>&1 || { command -v apt-get >/dev/null 2>&1 && (apt-get install -y -q gettext >/dev/null 2>&1 || (apt-get update -q >/dev/null && apt-get install -y -q gettext >/dev/null)); } || true
	DEBUG=1 $(BIN)/python manage.py compilemessages --ignore=.venv -v0

migrate: messages
	DEBUG=1 $(BIN)/python manage.py migrate --noinput -v0

seed: migrate
	DEBUG=1 $(BIN)/python manage.py seed_demo

# The embedded default: SQLite, in-process tasks, e-mail to files under var/mail, demo data. The periodic jobs
# (end of public notice, reminders, digests, outbox sweep, retention) run beside the web server, as beat would.
run: seed
	DEBUG=1 $(BIN)/python manage.py run_periodic --loop & periodic=$$!; \
	trap 'kill $$periodic 2>/dev/null' EXIT INT TERM; \
	DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:8000

# The suite runs on TEST_WORKERS processes (pytest-xdist; each has its own test database and Redis database),
# then the tests marked `serial` run alone. TEST_WORKERS=0 runs everything in one process.
TEST_WORKERS ?= 2
test: messages
	$(BIN)/pytest -n $(TEST_WORKERS) -m "not serial" $(PYTEST_ARGS)
	$(BIN)/pytest -m serial $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

worker: install
	$(BIN)/celery -A registry worker -l info

beat: install
	$(BIN)/celery -A registry beat -l info

backup: install
	$(BIN)/python manage.py backup $(if $(FILE),--output $(FILE),)

# `make restore FILE=var/backups/x.tar [TARGET_DATABASE_URL=postgres://... TARGET_MEDIA_ROOT=<folder>] [FORCE=1]`
# Into another database the uploads need a folder of their own (TARGET_MEDIA_ROOT); over files already there,
# the live MEDIA_ROOT included, only with FORCE=1.
restore: install
	@test -n "$(FILE)" || { echo "usage: make restore FILE=<backup archive> [TARGET_DATABASE_URL=... TARGET_MEDIA_ROOT=...] [FORCE=1]"; exit 2; }
	$(BIN)/python manage.py restore $(FILE) $(if $(TARGET_DATABASE_URL),--database-url $(TARGET_DATABASE_URL),) $(if $(TARGET_MEDIA_ROOT),--media-root $(TARGET_MEDIA_ROOT),) $(if $(FORCE),--force,)

clean:
	rm -rf $(VENV) var .pytest_cache
