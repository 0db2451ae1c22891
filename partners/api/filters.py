"""Query parameters the API refuses rather than ignores: an unknown sort field is a 400 naming `ordering`."""

from django.utils.translation import gettext as _g
from rest_framework import filters
from rest_framework.exceptions import ValidationError


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
