"""Staff screens of the member services: officers assigned in bulk, the contact log, key-enterprise flags."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _g
from django.views.decorators.http import require_POST

from ..forms.member_service import AssignOfficersForm, ContactForm, KeyEnterpriseForm, MemberRequestForm
from ..member_scope import can_serve_member, district_of, is_officer
from ..models import FollowUp, MemberRequest
from ..services import member_service
from ..services.applications import ServiceError


def officer_view(view):
    """Staff screens that change a member's service: service officers and administrators only (403 otherwise)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_officer(request.user):
            raise PermissionDenied(_g("Only service officers can do this."))
        return view(request, *args, **kwargs)

    return login_required(wrapped)


def assign_form(user, data=None):
    if not is_officer(user):
        return None
    return AssignOfficersForm(data, user=user)


def service_context(request, membership, bound=None):
    """What the member page shows of the service: officers, flags, the contact log, follow-ups, requests."""
    bound = bound or {}
    user = request.user
    serving = bool(can_serve_member(user, membership))
    service = member_service.service_of(membership)
    return {
        "service": service,
        "serving": serving,
        "city_flag_allowed": serving and district_of(user) is None,
        "contacts": membership.contacts.select_related("officer").prefetch_related("follow_ups")[:50],
        "open_follow_ups": membership.follow_ups.filter(done_at__isnull=True).select_related("owner"),
        "member_requests": MemberRequest.objects.filter(membership=membership).select_related("officer")[:50],
        "contact_form": bound.get("contact") or (ContactForm(prefix="contact") if serving else None),
        "key_form": bound.get("key") or (KeyEnterpriseForm(prefix="key") if serving else None),
        "request_form": bound.get("request") or (MemberRequestForm(prefix="request") if serving else None),
    }


def _rerender(request, membership, bound, status=400):
    from .members import _member_context

    return render(request, "partners/review/member_detail.html", _member_context(request, membership, bound),
                  status=status)


def _service_error(form, exc):
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)
    return 403 if exc.code == "forbidden" else (409 if exc.code == "conflict" else 400)


@require_POST
@officer_view
def members_assign(request):
    """Give the officers to every member the list's filter selects (the filter comes in the query string)."""
    from .members import filtered_members

    form = assign_form(request.user, request.POST)
    _filter_form, members = filtered_members(request)
    if not form.is_valid():
        from .members import member_list

        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        response = member_list(request)
        response.status_code = 400
        return response
    data = form.cleaned_data
    try:
        changed = member_service.assign_officers(request.user, members, city_officer=data["city_officer"],
                                                 district_officer=data["district_officer"], clear=data["clear"])
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect(f"{_members_url()}?{request.GET.urlencode()}")
    messages.success(request, _g("Officers changed for %(n)d members.") % {"n": changed})
    return redirect(f"{_members_url()}?{request.GET.urlencode()}")


def _members_url():
    from django.urls import reverse

    return reverse("review:members")


@require_POST
@officer_view
def member_contact(request, pk):
    from .members import visible_member_or_404

    membership = visible_member_or_404(request, pk)
    form = ContactForm(request.POST, prefix="contact")
    if form.is_valid():
        data = form.cleaned_data
        try:
            member_service.log_contact(request.user, membership, kind=data["kind"], contacted_on=data["contacted_on"],
                                       topics=data["topics"], participants=data["participants"],
                                       follow_ups=form.follow_ups())
        except ServiceError as exc:
            return _rerender(request, membership, {"contact": form}, _service_error(form, exc))
        messages.success(request, _g("The contact was logged."))
        return redirect("review:member", pk=pk)
    return _rerender(request, membership, {"contact": form})


@require_POST
@officer_view
def follow_up_done(request, pk, follow_up_id):
    from django.http import Http404

    from .members import visible_member_or_404

    membership = visible_member_or_404(request, pk)
    follow_up = FollowUp.objects.filter(pk=follow_up_id, membership=membership).select_related("membership").first()
    if follow_up is None:
        raise Http404
    try:
        member_service.complete_follow_up(request.user, follow_up)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _g("The follow-up is done."))
    return redirect("review:member", pk=pk)


@require_POST
@officer_view
def member_key_enterprise(request, pk):
    from .members import visible_member_or_404

    membership = visible_member_or_404(request, pk)
    form = KeyEnterpriseForm(request.POST, prefix="key")
    if form.is_valid():
        data = form.cleaned_data
        try:
            member_service.set_key_enterprise(request.user, membership, level=data["level"],
                                              flagged=data["flagged"], since=data["since"],
                                              reference=data["reference"])
        except ServiceError as exc:
            return _rerender(request, membership, {"key": form}, _service_error(form, exc))
        messages.success(request, _g("The key-enterprise flag was saved."))
        return redirect("review:member", pk=pk)
    return _rerender(request, membership, {"key": form})
