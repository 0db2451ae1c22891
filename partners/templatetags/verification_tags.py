"""Staff pages' marks of an organisation: verified or not, and the credit code's region against its location."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _g

from ..enums import OrgVerification
from ..services.eligibility import location_check

register = template.Library()


@register.simple_tag
def verification_mark(organization):
    """A badge: verified (green), access suspended (red) or not verified (yellow)."""
    style = {OrgVerification.VERIFIED: "success", OrgVerification.SUSPENDED: "danger"}.get(
        organization.verification, "warning")
    return format_html('<span class="badge text-bg-{}" data-testid="verification-mark">{}</span>', style,
                       organization.get_verification_display())


@register.simple_tag
def location_flag(organization):
    """The explanation of a disagreement between the credit code's region and the stated location, if any."""
    check = location_check(organization)
    if check.matches:
        return ""
    return format_html('<div class="alert alert-warning small mb-2" role="note" data-testid="location-flag">'
                       '<strong>{}</strong> {}</div>', _g("Credit code and location disagree:"), check.explanation)


@register.simple_tag
def eligibility_notice(organization):
    """For an organisation registered outside Beijing: what the plan requires, said before the six steps."""
    from ..services.eligibility import notice

    text = notice(organization)
    if not text:
        return ""
    return format_html('<p class="small alert alert-info py-1 px-2 mb-2" data-testid="eligibility-notice">{}</p>', text)
