"""Staff screens: queue, application detail, decisions, 公示 objections, members, dashboard."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from ..permissions import can


@login_required
def dashboard(request):
    if not can(request.user, "queue.view"):
        raise PermissionDenied
    return render(request, "partners/review/dashboard.html", {})
