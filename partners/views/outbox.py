"""The staff outbox screen: pending, failed and sent messages, and resending a failed one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _g
from django.views.decorators.http import require_POST

from ..enums import NotificationState
from ..models import Notification
from ..pagination import CappedPaginator, capped_count
from ..permissions import can
from ..services.applications import ServiceError
from ..services.delivery import render as render_email
from ..services.delivery import resend as resend_service
from ..services.notifications import ACCOUNT_MAIL

PAGE_SIZE = 50


def _require(user):
    verdict = can(user, "outbox.view")
    if not verdict.allowed:
        raise PermissionDenied(verdict.reason)


@login_required
def outbox_list(request):
    _require(request.user)
    state = request.GET.get("state", NotificationState.FAILED)
    if state not in NotificationState.values:
        state = NotificationState.FAILED
    qs = (Notification.objects.filter(state=state).select_related("recipient", "application__organization")
          .order_by("-created_at", "-id"))
    page = CappedPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    # One capped count per state (the (state, created_at) index answers each) rather than a GROUP BY state
    # that reads the whole outbox, sent messages included, on every view.
    # The selected state's figure is the paginator's own count.
    tabs = [(code, label, *((page.paginator.count, page.paginator.capped) if code == state
                            else capped_count(Notification.objects.filter(state=code))))
            for code, label in NotificationState.choices]
    return render(request, "partners/outbox/list.html", {"page": page, "state": state, "tabs": tabs,
                                                         "cap": page.paginator.cap_display})


@login_required
def outbox_detail(request, pk):
    _require(request.user)
    notification = get_object_or_404(Notification.objects.select_related("recipient", "application"), pk=pk)
    preview = None
    if notification.template_key == ACCOUNT_MAIL:
        # Its body holds a one-time link (verification, password reset) that only the recipient may see.
        preview = {"subject": (notification.context or {}).get("subject", ""),
                   "text": _g("The body of an account e-mail holds a one-time link and is not shown.")}
    elif notification.channel == "email":
        try:
            subject, text, _html = render_email(notification)
            preview = {"subject": subject, "text": text}
        except Exception as exc:  # noqa: BLE001 - a broken template is shown to staff, not a 500
            preview = {"error": f"{type(exc).__name__}: {exc}"}
    attempts = notification.attempt_log.order_by("-id")[:50]
    return render(request, "partners/outbox/detail.html", {"n": notification, "preview": preview,
                                                           "attempts": attempts})


@login_required
@require_POST
def resend(request, pk):
    _require(request.user)
    notification = get_object_or_404(Notification, pk=pk)
    try:
        resend_service(request.user, notification)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _g("The message was queued to be sent again."))
    return redirect("outbox:list")
