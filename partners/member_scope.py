"""Which members a staff member serves: city staff see every member, district staff only their district's.

One answer for lists (a queryset filter) and for single objects, used by the staff pages, the contact log,
member requests and the workflow's permission rule for requests.
"""

from django.utils.translation import gettext as _g

from .enums import StaffRole
from .permissions import YES, Verdict, acts_for, has_role, no, unless_suspended
from .workflow import APPLICANT, SYSTEM

MEMBER_STAFF = (StaffRole.REVIEWER, StaffRole.APPROVER, StaffRole.SERVICE_OFFICER, StaffRole.ADMINISTRATOR)
OFFICERS = (StaffRole.SERVICE_OFFICER, StaffRole.ADMINISTRATOR)


def district_of(user):
    """The district code a staff member is confined to, or None for city staff (cached on the user)."""
    if not user or not user.is_authenticated:
        return None
    if "_officer_district" not in user.__dict__:
        from .models import OfficerScope

        user.__dict__["_officer_district"] = (OfficerScope.objects.filter(user_id=user.pk)
                                              .values_list("district_id", flat=True).first())
    return user.__dict__["_officer_district"]


def is_member_staff(user) -> bool:
    return any(has_role(user, r) for r in MEMBER_STAFF)


def is_officer(user) -> bool:
    return any(has_role(user, r) for r in OFFICERS)


def visible_memberships(user, queryset, prefix=""):
    """Filter a queryset (of memberships, or of rows reaching one through `prefix`) to what the person serves."""
    if not is_member_staff(user):
        return queryset.none()
    district = district_of(user)
    if district is None:
        return queryset
    return queryset.filter(**{f"{prefix}organization__district_id": district})


def can_see_member(user, membership) -> Verdict:
    if not is_member_staff(user):
        return no(_g("Your role does not allow this action."))
    district = district_of(user)
    if district is not None and membership.organization.district_id != district:
        return no(_g("This member is registered in another district."))
    return YES


def can_serve_member(user, membership) -> Verdict:
    """May this person log contacts and handle requests of the member (officers in scope, administrators)?"""
    if not is_officer(user):
        return no(_g("Only service officers can do this."))
    return can_see_member(user, membership)


def can_fire_member_request(user, transition, member_request) -> Verdict:
    """The member-request process's permission rule: the member confirms or reopens, officers handle."""
    if not user or not user.is_authenticated:
        return no(_g("Please log in."))
    membership = member_request.membership
    if APPLICANT in transition.roles:
        if acts_for(user, membership.organization):
            return unless_suspended(membership.organization)
        return no(_g("Only people acting for the member can do this."))
    if transition.roles == frozenset({SYSTEM}):
        return no(_g("Only the registry does this, when the deadline passes."))
    if not any(has_role(user, r) for r in transition.roles if r != SYSTEM):
        return no(_g("Your role does not allow this action."))
    return can_see_member(user, membership)
