# The production image: gunicorn web, Celery worker and beat all run from it.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update && apt-get install -y --no-install-recommends libmagic1 gettext postgresql-client \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml ./
RUN pip install --no-cache-dir -e . || true
COPY . .
RUN pip install --no-cache-dir -e . \
    && DEBUG=1 python manage.py compilemessages --ignore=.venv -v0 \
    && DEBUG=1 python manage.py collectstatic --noinput -v0
RUN useradd --system --home /app registry && mkdir -p /app/var && chown -R registry /app/var
USER registry
EXPOSE 8000
CMD ["gunicorn", "-c", "registry/gunicorn.conf.py", "registry.wsgi:application"]
