"""Query parameters the API refuses rather than ignores: an unknown sort field or id is a 400 naming the field."""

import django_filters
from django.utils.translation import gettext as _g
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import filters
from rest_framework.exceptions import ValidationError

from ..models import Application, Organization, OrganizationMember
from ..permissions import is_staff_member, visible_applications


class StrictOrderingFilter(filters.OrderingFilter):
    """DRF's ordering, but `?ordering=bogus` answers 400 with the fields one may sort by, instead of the
    default order, which a client would take for the order it asked for."""

    def get_ordering(self, request, queryset, view):
        params = request.query_params.get(self.ordering_param)
        if params:
            fields = [param.strip() for param in params.split(",")]
            allowed = {name for name, _label in self.get_valid_fields(queryset, view, {"request": request})}
            unknown = [f for f in fields if f.lstrip("-") not in allowed]
            if unknown:
                raise ValidationError({self.ordering_param: [
                    _g("Sort by one of: %(fields)s.") % {"fields": ", ".join(sorted(allowed))}]})
        return super().get_ordering(request, queryset, view)


class DocumentedSearchFilter(filters.SearchFilter):
    """`?search=` only where a view names its search fields; elsewhere the schema does not offer it."""

    def get_schema_operation_parameters(self, view):
        if not getattr(view, "search_fields", None):
            return []
        return super().get_schema_operation_parameters(view)


def organizations_for_filter(request):
    # Only organisations the caller may see: another's id is as unknown as one that does not exist.
    if request is None:
        return Organization.objects.none()
    if is_staff_member(request.user):
        return Organization.objects.all()
    mine = OrganizationMember.objects.filter(user=request.user).values("organization_id")
    return Organization.objects.filter(pk__in=mine)


def applications_for_filter(request):
    if request is None:
        return Application.objects.none()
    return visible_applications(request.user, Application.objects.all())


def by_public_id(field_name, queryset, label):
    """A filter that takes a resource's public id (UUID): unknown, invisible or malformed → 400 naming it."""
    return extend_schema_field(OpenApiTypes.UUID)(django_filters.ModelChoiceFilter(
        field_name=field_name, to_field_name="public_id", queryset=queryset, label=label))
