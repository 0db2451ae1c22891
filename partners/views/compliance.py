"""Privacy and security screens: notice, consent, my data, correction, deletion; audit log, roles, split, settings."""

import csv
import json
from datetime import datetime, time

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Q
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _g
from django.views.decorators.http import require_http_methods, require_POST

from ..enums import StaffRole
from ..forms.compliance import (
    AuditFilterForm,
    DeletionForm,
    PersonExportForm,
    PrivacyNoticeForm,
    ProfileForm,
    RoleChangeForm,
    SecuritySettingForm,
    SplitDutiesForm,
)
from ..models import PrivacyNotice, SecurityEvent, SecuritySetting, User
from ..models.audit import PSEUDONYM_PREFIX
from ..pagination import CappedPaginator
from ..services import privacy, security, separation

AUDIT_PAGE_SIZE = 50


def _errors(exc) -> list[str]:
    return list(getattr(exc, "messages", None) or [str(exc.args[0] if exc.args else exc)])


# --- The person's own pages ----------------------------------------------------------------------------

def notice(request):
    version = request.GET.get("version", "")
    if version:
        if not version.isdigit():
            raise Http404
        shown = get_object_or_404(PrivacyNotice.objects.published(), version=int(version))
    else:
        shown = privacy.current_notice()
    versions = PrivacyNotice.objects.published().values_list("version", "published_at")
    return render(request, "partners/compliance/notice.html", {"notice": shown, "versions": versions})


@login_required
@require_http_methods(["GET", "POST"])
def consent(request):
    current = privacy.current_notice()
    if request.method == "POST" and current is not None:
        if request.POST.get("version") != str(current.version):
            messages.error(request, _g("The privacy notice changed while you were reading it; please read it again."))
            return redirect("privacy:consent")
        if request.POST.get("agree") != "yes":
            messages.error(request, _g("Please tick the box to agree, or log out."))
        else:
            privacy.record_consent(request.user, current, request=request)
            messages.success(request, _g("Thank you. Your consent to version %(v)d is recorded.") % {
                "v": current.version})
            return redirect("portal:home")
    return render(request, "partners/compliance/consent.html", {
        "notice": current, "already": privacy.has_consented(request.user, current),
        "changed": current is not None and privacy.consented_before(request.user, current)})


@login_required
def my_data(request):
    data = privacy.personal_data(request.user)
    return render(request, "partners/compliance/my_data.html", {"data": data})


@login_required
def my_data_json(request):
    data = privacy.export_own_data(request.user, request=request)
    response = HttpResponse(json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="my-data.json"'
    return response


@login_required
def account(request):
    """The person's account page: password, second factor and recovery codes in one place."""
    return render(request, "partners/compliance/account.html", {"overview": security.account_overview(request.user)})


@login_required
def my_data_zip(request):
    """The JSON export and the files the person uploaded, in one archive."""
    data = privacy.export_own_data(request.user, request=request)
    response = HttpResponse(privacy.export_archive(request.user, data), content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="my-data.zip"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    form = ProfileForm(request.POST or None, instance=User(display_name=request.user.display_name,
                                                           phone=request.user.phone,
                                                           language=request.user.language))
    if request.method == "POST" and form.is_valid():
        try:
            changed = privacy.correct_profile(request.user, request=request, **{
                f: form.cleaned_data[f] for f in privacy.PROFILE_FIELDS})
        except ValidationError as exc:
            for message in _errors(exc):
                form.add_error(None, message)
        else:
            messages.success(request, _g("Your details were saved.") if changed else _g("Nothing changed."))
            return redirect("privacy:my_data")
    return render(request, "partners/compliance/profile.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request):
    form = DeletionForm(request.POST or None, user=request.user)
    blockers = privacy.deletion_blockers(request.user)
    if request.method == "POST" and form.is_valid():
        outcome = privacy.request_deletion(request.user, reason=form.cleaned_data["reason"], request=request)
        if outcome.state == outcome.State.COMPLETED:
            request._registry_logout_reason = "account_deleted"
            logout(request)
            messages.success(request, _g("Your account was deleted. Thank you for taking part in the plan."))
            return redirect("public:home")
        for reason in outcome.outcome.splitlines():
            messages.error(request, reason)
        return redirect("privacy:delete")
    return render(request, "partners/compliance/delete.html", {"form": form, "blockers": blockers})


# --- The audit administrator's screen ------------------------------------------------------------------

def _require(request, role):
    if not security.has_admin_role(request.user, role):
        # A security screen refused to someone without its role is a refusal like any other: audited.
        security.audit_refusal("access.refused", object_ref=request.path[:200],
                               data={"needed": str(role), "method": request.method})
        raise PermissionDenied(_g("Your role does not allow this page."))


def _filtered_events(form):
    events = SecurityEvent.objects.select_related("actor").order_by("-created_at", "-id")
    if not form.is_valid():
        return events.none()
    data = form.cleaned_data
    tz = timezone.get_current_timezone()
    if data.get("date_from"):
        events = events.filter(created_at__gte=datetime.combine(data["date_from"], time.min, tzinfo=tz))
    if data.get("date_to"):
        events = events.filter(created_at__lte=datetime.combine(data["date_to"], time.max, tzinfo=tz))
    if data.get("actor"):
        actor = data["actor"].strip()
        # Rows name people by pseudonym: the search also finds them by the e-mail the pseudonym leads to.
        events = events.filter(Q(actor_label__icontains=actor)
                               | Q(actor_label__startswith=PSEUDONYM_PREFIX, actor__email__icontains=actor,
                                   actor__anonymised_at__isnull=True))
    if data.get("action"):
        action = data["action"].strip()
        events = events.filter(action__startswith=action) if action.endswith(".") else events.filter(action=action)
    if data.get("result"):
        events = events.filter(result=data["result"])
    return events


@login_required
def audit_log(request):
    _require(request, StaffRole.AUDIT_ADMIN)
    form = AuditFilterForm(request.GET or None)
    events = _filtered_events(form) if request.GET else SecurityEvent.objects.select_related("actor").order_by("-created_at", "-id")
    page = CappedPaginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "partners/compliance/audit_log.html", {
        "form": form, "page": page, "query": query.urlencode()})


def _csv_cell(value):
    text = "" if value is None else str(value)
    # A cell starting with these is a formula in spreadsheet programs.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class _Echo:
    def write(self, value):
        return value


@login_required
def audit_csv(request):
    _require(request, StaffRole.AUDIT_ADMIN)
    form = AuditFilterForm(request.GET or None)
    events = _filtered_events(form) if request.GET else SecurityEvent.objects.select_related("actor").order_by("-created_at", "-id")
    if request.GET and not form.is_valid():
        return HttpResponse(_g("The filter is not valid: %(e)s") % {"e": form.errors.as_text()}, status=400,
                            content_type="text/plain; charset=utf-8")
    # The log names people and their addresses: exporting it is an export of personal data.
    reason = (request.GET.get("reason") or "").strip()
    filters = {k: v for k, v in request.GET.items() if k not in ("reason", "page")}
    if not reason:
        security.audit("audit.exported", request=request, object_ref="security_log", result="refused",
                       data={"filter": filters})
        return HttpResponse(_g("Give the reason for exporting the log; it is recorded."), status=400,
                            content_type="text/plain; charset=utf-8")
    security.audit("audit.exported", request=request, object_ref="security_log",
                   data={"filter": filters, "reason": reason[:500]})
    writer = csv.writer(_Echo())
    header = ["time", "actor", "source_ip", "action", "object", "result", "data"]

    def rows():
        yield "\ufeff"  # so spreadsheet programs read the file as UTF-8
        yield writer.writerow(header)
        for e in events.iterator(chunk_size=2000):
            yield writer.writerow([_csv_cell(v) for v in (
                timezone.localtime(e.created_at).isoformat(), e.who, e.source_ip, e.action, e.object_ref,
                e.result, json.dumps(e.data, ensure_ascii=False))])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="security-log.csv"'
    return response


# --- The security administrator's roles screen ---------------------------------------------------------

def staff_accounts():
    from allauth.mfa.models import Authenticator

    # Whether each account has a second factor, read in the same query (allauth's is_mfa_enabled: any authenticator).
    return User.objects.filter(
        Q(groups__isnull=False) | Q(is_staff=True) | Q(is_superuser=True), is_active=True,
    ).distinct().prefetch_related("groups").annotate(
        has_mfa=Exists(Authenticator.objects.filter(user_id=OuterRef("pk"))))


@login_required
def roles(request):
    _require(request, StaffRole.SECURITY_ADMIN)
    people = staff_accounts().order_by("email")
    locked = set()
    try:
        from axes.models import AccessAttempt

        locked = set(AccessAttempt.objects.values_list("username", flat=True))
    except Exception:  # noqa: BLE001 - the screen still works without the lockout table
        locked = set()
    rows = [{"user": p, "roles": sorted(g.name for g in p.groups.all()), "locked": p.email in locked,
             "mfa": p.has_mfa} for p in people]
    return render(request, "partners/compliance/roles.html", {
        "rows": rows, "form": RoleChangeForm(), "role_choices": StaffRole.choices})


@login_required
@require_POST
def role_change(request, user_id):
    _require(request, StaffRole.SECURITY_ADMIN)
    person = get_object_or_404(User, pk=user_id)
    form = RoleChangeForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("security:roles")
    op, role = form.cleaned_data["operation"], form.cleaned_data.get("role")
    ip = security.client_ip(request)
    try:
        if op == "grant":
            separation.grant_role(request.user, person, role, ip=ip)
        elif op == "revoke":
            separation.revoke_role(request.user, person, role, ip=ip)
        elif op == "unlock":
            security.unlock_account(request.user, person, ip=ip)
        else:
            security.reset_mfa(request.user, person, ip=ip)
    except (PermissionDenied, ValidationError) as exc:
        for message in _errors(exc):
            messages.error(request, message)
    else:
        messages.success(request, _g("Done: %(who)s.") % {"who": person.email})
    return redirect("security:roles")


# --- The set-up superuser splits the duties -----------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def split_duties(request):
    if not request.user.is_superuser:
        return redirect("portal:home")
    already = separation.duties_split()
    form = SplitDutiesForm(request.POST or None) if not already else None
    if request.method == "POST":
        try:
            if already:
                separation.resign_superuser(request.user, ip=security.client_ip(request))
                messages.success(request, _g("You gave up full powers; the duties are separated."))
                return redirect("portal:home")
            if form.is_valid():
                separation.split_duties(request.user, ip=security.client_ip(request), **form.cleaned_data)
                messages.success(request, _g("The duties are split. New accounts set their password with "
                                             "“Forgot password” on the login page."))
                return redirect("portal:home")
        except (PermissionDenied, ValidationError) as exc:
            for message in _errors(exc):
                if form is not None:
                    form.add_error(None, message)
                else:
                    messages.error(request, message)
    return render(request, "partners/compliance/split_duties.html", {"form": form, "already": already})


# --- The system administrator's settings and staff exports --------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def security_settings(request):
    _require(request, StaffRole.SYSTEM_ADMIN)
    form = SecuritySettingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            security.change_setting(request.user, form.cleaned_data["key"], form.cleaned_data["value"],
                                    ip=security.client_ip(request))
        except (PermissionDenied, ValidationError) as exc:
            for message in _errors(exc):
                form.add_error("value", message)
        else:
            messages.success(request, _g("The setting was changed."))
            return redirect("security:settings")
    values = [(label, security.setting_value(key)) for key, label in SecuritySetting.Key.choices]
    return render(request, "partners/compliance/settings.html", {"form": form, "values": values})


@login_required
@require_http_methods(["GET", "POST"])
def person_export(request, user_id):
    _require(request, StaffRole.SYSTEM_ADMIN)
    person = get_object_or_404(User, pk=user_id)
    form = PersonExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            data = privacy.export_person_for_staff(request.user, person, reason=form.cleaned_data["reason"],
                                                   request=request)
        except (PermissionDenied, ValidationError) as exc:
            for message in _errors(exc):
                form.add_error(None, message)
        else:
            response = HttpResponse(json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json")
            response["Content-Disposition"] = f'attachment; filename="person-{person.pk}.json"'
            return response
    return render(request, "partners/compliance/person_export.html", {"form": form, "person": person})


@login_required
@require_http_methods(["GET", "POST"])
def notices(request):
    """The system administrator writes and publishes versions of the privacy notice."""
    _require(request, StaffRole.SYSTEM_ADMIN)
    form = PrivacyNoticeForm(request.POST if request.POST.get("op") == "draft" else None)
    if request.method == "POST":
        try:
            if request.POST.get("op") == "publish":
                draft = get_object_or_404(PrivacyNotice, pk=request.POST.get("notice") or 0)
                privacy.publish_notice(request.user, draft, request=request)
                messages.success(request, _g("Version %(v)d is published; everyone is asked to agree again.")
                                 % {"v": draft.version})
                return redirect("security:notices")
            if form.is_valid():
                privacy.draft_notice(request.user, request=request, **form.cleaned_data)
                messages.success(request, _g("The draft was saved."))
                return redirect("security:notices")
        except (PermissionDenied, ValidationError) as exc:
            for message in _errors(exc):
                messages.error(request, message)
    return render(request, "partners/compliance/notices.html", {
        "form": form, "notices": PrivacyNotice.objects.order_by("-version")})


# --- Lockout page (django-axes) -----------------------------------------------------------------------

def locked_out(request, response=None, credentials=None, *args, **kwargs):
    return render(request, "partners/compliance/locked_out.html",
                  {"minutes": security.lockout_minutes()}, status=429)
