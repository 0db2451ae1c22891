"""Liveness and readiness: answers 200 when the database answers, 503 otherwise."""

from django.db import connection
from django.http import JsonResponse


def health(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - any database failure means not ready
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})
