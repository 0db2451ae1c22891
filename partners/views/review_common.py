"""What every staff screen shares: the role check, pagination and the error answer of a refused action."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from ..pagination import CappedPaginator
from ..permissions import can

PAGE_SIZE = 50


def staff_view(permission):
    """Anonymous people go to the login page; people without the staff role get 403 with the reason."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            verdict = can(request.user, permission)
            if not verdict:
                raise PermissionDenied(verdict.reason)
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorator


def paginate(request, queryset, *, count=None, per_page=PAGE_SIZE):
    """A page of the queryset; `count` (already known, e.g. from the per-state counts) saves a COUNT and is
    shown exact. Without it the count stops at the cap of partners/pagination.py."""
    try:
        per_page = max(10, min(int(request.GET.get("per_page", per_page)), 500))
    except (TypeError, ValueError):
        per_page = PAGE_SIZE
    paginator = CappedPaginator(queryset, per_page, count=count)
    return paginator.get_page(request.GET.get("page"))
