"""Portal pages of the organisation: claim or create by credit code, its facts, its people, join requests,
and invitations (the owner invites, the invited person accepts)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _g
from django.views.decorators.http import require_POST

from ..enums import InvitationState, JoinRequestState, OrgRole
from ..forms.organization import AddColleagueForm, ClaimForm, HandOverForm, OrganizationForm
from ..models import JoinRequest, Organization, OrganizationInvitation, User
from ..permissions import org_role
from ..services import invitations as invitation_services
from ..services import organizations as org_services
from ..services.applications import ServiceError
from .portal import my_organizations


@login_required
def claim(request):
    form = ClaimForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        existing = org_services.find_by_credit_code(data["credit_code"])
        if existing is None and not data["name"].strip():
            form.add_error("name", _g("This credit code is not registered yet. Enter the organisation's name to "
                                      "register it; you will be its owner."))
        else:
            try:
                organization, join_request = org_services.claim_by_credit_code(
                    request.user, data["credit_code"], name=data["name"], message=data["message"])
            except ServiceError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                if join_request is None:
                    from ..services.verification import open_case_of

                    case = open_case_of(request.user, organization)
                    messages.success(request, _g("%(org)s is claimed by you. Prove that you may act for it: the plan "
                                                 "office verifies the organisation before its applications can be "
                                                 "submitted.") % {"org": organization.name})
                    if case is not None:
                        return redirect("portal:verification", pk=case.pk)
                    return redirect("portal:organization", pk=organization.pk)
                messages.success(request, _g("%(org)s is already registered. We asked its owner to let you act "
                                             "for it; you will be told of the answer.") % {"org": organization.name})
                return redirect("portal:home")
    pending = JoinRequest.objects.filter(user=request.user, state=JoinRequestState.PENDING).select_related(
        "organization")
    return render(request, "partners/portal/claim.html", {"form": form, "pending": pending},
                  status=400 if form.errors else 200)


def _my_org(user, pk):
    return get_object_or_404(my_organizations(user), pk=pk)


def _org_context(request, organization, **extra):
    role = org_role(request.user, organization)
    people = organization.memberships_of_people.select_related("user").order_by("-role", "joined_at")
    colleagues = [link.user for link in people if link.role != OrgRole.OWNER]
    ctx = {
        "organization": organization, "role": role, "is_owner": role == OrgRole.OWNER, "people": people,
        "join_requests": organization.join_requests.filter(state=JoinRequestState.PENDING).select_related("user")
        if role == OrgRole.OWNER else [],
        "invitations": organization.invitations.filter(state=InvitationState.PENDING).order_by("-created_at")
        if role == OrgRole.OWNER else [],
        "add_form": AddColleagueForm(), "hand_over_form": HandOverForm(colleagues=colleagues),
        "applications": organization.applications.order_by("-updated_at"),
        "my_cases": organization.verification_cases.filter(claimant=request.user,
                                                           state__in=["draft", "pending", "recommended"]),
    }
    ctx.update(extra)
    return ctx


@login_required
def organization_detail(request, pk):
    organization = _my_org(request.user, pk)
    return render(request, "partners/portal/organization.html", _org_context(request, organization))


@login_required
def organization_edit(request, pk):
    organization = _my_org(request.user, pk)
    form = OrganizationForm(request.POST or None, instance=organization)
    if request.method == "POST" and form.is_valid():
        try:
            org_services.update_organization(request.user, organization, lambda _org: form.save())
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _g("The organisation's profile was saved."))
            from ..services.eligibility import location_check

            check = location_check(Organization.objects.get(pk=organization.pk))
            if not check.matches:
                messages.warning(request, check.explanation)
            return redirect("portal:organization", pk=organization.pk)
    return render(request, "partners/portal/organization_form.html", {"form": form, "organization": organization},
                  status=400 if form.errors else 200)


def _fail(request, organization, message, status=400, **extra):
    messages.error(request, message)
    return render(request, "partners/portal/organization.html", _org_context(request, organization, **extra),
                  status=status)


STATUS = {"forbidden": 403, "conflict": 409, "duplicate": 409, "not_found": 404}


@login_required
@require_POST
def colleague_add(request, pk):
    """The owner invites a colleague by e-mail; the answer never tells whether the address has an account."""
    organization = _my_org(request.user, pk)
    form = AddColleagueForm(request.POST)
    if not form.is_valid():
        return _fail(request, organization, _g("Please correct the errors below."), add_form=form)
    try:
        invitation_services.invite_colleague(request.user, organization, form.cleaned_data["email"],
                                             title=form.cleaned_data["title"])
    except ServiceError as exc:
        return _fail(request, organization, exc.message, status=STATUS.get(exc.code, 400), add_form=form)
    messages.success(request, _g("An invitation was sent to %(who)s. They act for the organisation once they "
                                 "accept it.") % {"who": form.cleaned_data["email"]})
    return redirect("portal:organization", pk=organization.pk)


@login_required
@require_POST
def invitation_revoke(request, pk, invitation_id):
    organization = _my_org(request.user, pk)
    invitation = get_object_or_404(OrganizationInvitation, pk=invitation_id, organization=organization)
    try:
        invitation_services.revoke_invitation(request.user, invitation)
    except ServiceError as exc:
        return _fail(request, organization, exc.message, status=STATUS.get(exc.code, 400))
    messages.info(request, _g("The invitation to %(who)s was withdrawn.") % {"who": invitation.email})
    return redirect("portal:organization", pk=organization.pk)


def _invitations_page(request, status=200):
    return render(request, "partners/portal/invitations.html",
                  {"invitations": invitation_services.pending_for(request.user),
                   "is_staff_account": invitation_services.is_staff_account(request.user)}, status=status)


@login_required
def invitations(request):
    """The invitations waiting for the signed-in person (by their verified e-mail addresses)."""
    return _invitations_page(request)


@login_required
@require_POST
def invitation_answer(request, pk, decision):
    # Only the invited person may learn that the invitation exists.
    invitation = get_object_or_404(invitation_services.pending_for(request.user), pk=pk)
    answer = {"accept": invitation_services.accept_invitation, "decline": invitation_services.decline_invitation}
    if decision not in answer:
        messages.error(request, _g("Unknown decision."))
        return _invitations_page(request, status=400)
    try:
        answer[decision](request.user, invitation)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return _invitations_page(request, status=STATUS.get(exc.code, 400))
    organization = invitation.organization
    if decision == "accept":
        messages.success(request, _g("You now act for %(org)s.") % {"org": organization.name})
        return redirect("portal:organization", pk=organization.pk)
    messages.info(request, _g("You declined the invitation of %(org)s.") % {"org": organization.name})
    return redirect("portal:invitations")


@login_required
@require_POST
def colleague_remove(request, pk, user_id):
    organization = _my_org(request.user, pk)
    person = get_object_or_404(User, pk=user_id, org_links__organization=organization)
    try:
        org_services.remove_colleague(request.user, organization, person)
    except ServiceError as exc:
        return _fail(request, organization, exc.message, status=STATUS.get(exc.code, 400))
    if person.pk == request.user.pk:
        messages.success(request, _g("You no longer act for %(org)s.") % {"org": organization.name})
        return redirect("portal:home")
    messages.success(request, _g("%(who)s no longer acts for the organisation.") % {"who": person.email})
    return redirect("portal:organization", pk=organization.pk)


@login_required
@require_POST
def hand_over(request, pk):
    organization = _my_org(request.user, pk)
    colleagues = [link.user for link in organization.memberships_of_people.select_related("user")
                  if link.role != OrgRole.OWNER]
    form = HandOverForm(request.POST, colleagues=colleagues)
    if not form.is_valid():
        return _fail(request, organization, _g("Choose a colleague who already acts for the organisation."),
                     hand_over_form=form)
    new_owner = User.objects.get(pk=form.cleaned_data["new_owner"])
    try:
        org_services.hand_over_ownership(request.user, organization, new_owner)
    except ServiceError as exc:
        return _fail(request, organization, exc.message, status=STATUS.get(exc.code, 400))
    messages.success(request, _g("%(who)s is now the owner.") % {"who": new_owner.email})
    return redirect("portal:organization", pk=organization.pk)


@login_required
@require_POST
def join_request_decide(request, pk, decision):
    # Only people of the organisation may learn that the request exists.
    join_request = get_object_or_404(JoinRequest.objects.filter(
        organization__memberships_of_people__user=request.user).distinct(), pk=pk)
    organization = join_request.organization
    decide = {"approve": org_services.approve_join_request, "decline": org_services.decline_join_request}
    if decision not in decide:
        return _fail(request, organization, _g("Unknown decision."))
    try:
        decide[decision](request.user, join_request)
    except ServiceError as exc:
        return _fail(request, organization, exc.message, status=STATUS.get(exc.code, 400))
    if decision == "approve":
        messages.success(request, _g("%(who)s now acts for the organisation.") % {"who": join_request.user.email})
    else:
        messages.info(request, _g("The request of %(who)s was declined.") % {"who": join_request.user.email})
    return redirect("portal:organization", pk=organization.pk)
