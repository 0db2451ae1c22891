"""The in-app inbox: every notification to the person, marking them read, and notification preferences."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _g
from django.views.decorators.http import require_POST

from ..pagination import CappedPaginator
from ..permissions import is_staff_member
from ..services import notifications as service
from ..services.applications import ServiceError

PAGE_SIZE = 25


@login_required
def inbox_list(request):
    qs = service.inbox(request.user).select_related("application")
    only_unread = request.GET.get("unread") == "1"
    if only_unread:
        qs = qs.filter(read_at__isnull=True)
    page = CappedPaginator(qs.order_by("-created_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    items = [{"n": n, "title": _title(n)} for n in page.object_list]
    return render(request, "partners/inbox/list.html",
                  {"page": page, "items": items, "only_unread": only_unread})


def _title(notification):
    kind = service.KINDS.get(notification.template_key)
    label = str(kind.label) if kind else notification.template_key
    org = (notification.context or {}).get("organization")
    return f"{label}: {org}" if org else label


@login_required
def open_notification(request, pk):
    """Open one notification: it is marked read and the person goes to what it is about."""
    notification = service.inbox(request.user).filter(pk=pk).first()
    if notification is None:
        raise Http404
    service.mark_read(request.user, [notification.pk])
    return redirect(service.target_path(notification))


@login_required
@require_POST
def mark_read(request):
    ids = None
    if request.POST.get("all") != "1":
        try:
            ids = [int(v) for v in request.POST.getlist("id")]
        except ValueError:
            messages.error(request, _g("That is not a notification of yours."))
            return redirect("inbox:list")
    count = service.mark_read(request.user, ids)
    messages.success(request, _g("%(n)s notification(s) marked as read.") % {"n": count})
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = ""
    return redirect(target or "inbox:list")


@login_required
def preferences(request):
    """Non-essential kinds can be sent each time, held for the daily digest, or turned off."""
    kinds = service.kinds_for(request.user, staff=is_staff_member(request.user))
    if request.method == "POST":
        choices = {code: request.POST[f"kind-{code}"] for code, _kind in kinds
                   if not _kind.essential and f"kind-{code}" in request.POST}
        try:
            service.set_preferences(request.user, choices)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _g("Your notification settings were saved."))
            return redirect("inbox:preferences")
    current = service.choices_of(request.user)
    rows = [{"code": code, "label": kind.label, "essential": kind.essential,
             "choice": current.get(code, service.IMMEDIATE)} for code, kind in kinds]
    return render(request, "partners/inbox/preferences.html",
                  {"rows": rows, "options": service.CHOICE_LABELS})
