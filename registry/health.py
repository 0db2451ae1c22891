"""Liveness (`ping`, no database) and readiness (`health`: 200 when the database answers, 503 otherwise)."""

from django.db import connection
from django.http import HttpResponse, JsonResponse


def ping(request):
    """The cheapest Django response: the ceiling the load benchmarks compare every page with."""
    return HttpResponse("ok", content_type="text/plain")


def health(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - any database failure means not ready
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})
