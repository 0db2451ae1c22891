"""The staff page of an organisation: its verified facts, people and roles, applications with their outcomes,
membership, verification history, and possible duplicates (same name, code, phone or contact)."""

from django.shortcuts import get_object_or_404, render

from ..models import Organization
from ..services.duplicates import possible_duplicates, shared_contacts
from ..services.eligibility import location_check
from .review_common import staff_view
from .review_verification import history


@staff_view("queue.view")
def organization_detail(request, pk):
    organization = get_object_or_404(Organization.objects.select_related("district"), pk=pk)
    membership = getattr(organization, "membership", None)
    applications = organization.applications.exclude(state="draft").order_by("-created_at")
    return render(request, "partners/review/organization.html", {
        "organization": organization, "location": location_check(organization),
        "people": organization.memberships_of_people.select_related("user").order_by("-role", "joined_at"),
        "applications": applications, "membership": membership,
        "grants": membership.grants.order_by("partner_type") if membership else [],
        "cases": organization.verification_cases.select_related("claimant", "decided_by").order_by("-created_at"),
        "history": history(organization),
        "duplicates": [d for d in possible_duplicates(organization) if d.organization != organization]
        + shared_contacts(organization),
    })
