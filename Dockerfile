# The production image: gunicorn web, Celery worker and beat all run from it.
# tests/integration/test_production_shape.py runs this file's collectstatic command natively and serves the result
# with the settings below, so the image is the shape the tests walk.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update && apt-get install -y --no-install-recommends libmagic1 gettext postgresql-client \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml ./
RUN pip install --no-cache-dir -e . || true
COPY . .
# Static files are collected as production serves them: DEBUG off, hashed names and their manifest. The key only
# lets the settings load during the build; the running containers get their own from the environment.
RUN pip install --no-cache-dir -e . \
    && DEBUG=1 python manage.py compilemessages --ignore=.venv -v0 \
    && SECRET_KEY=collectstatic-only DEBUG=0 MANIFEST_STATIC=1 python manage.py collectstatic --noinput -v0
RUN useradd --system --home /app registry && mkdir -p /app/var && chown -R registry /app/var
USER registry
EXPOSE 8000
CMD ["gunicorn", "-c", "registry/gunicorn.conf.py", "registry.wsgi:application"]
