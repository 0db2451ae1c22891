"""Template filters that show stored codes and times as people read them: translated labels, Beijing time."""

from datetime import UTC, datetime

from django import template
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .. import labels

register = template.Library()

register.filter("event_label", labels.event_label)
register.filter("state_label", labels.state_label)
register.filter("action_label", labels.action_label)
register.filter("outcome_label", labels.outcome_label)
register.filter("language_label", labels.language_label)
register.filter("result_label", labels.result_label)
register.filter("login_kind_label", labels.login_kind_label)
register.filter("partner_type_label", labels.partner_type_label)
register.filter("mail_label", labels.mail_label)
register.filter("role_label", labels.role_label)


@register.filter
def local_time(value, fmt="%Y-%m-%d %H:%M"):
    """A datetime or an ISO string (as the data export stores it) in the site's time zone (Asia/Shanghai)."""
    if not value:
        return ""
    moment = value if isinstance(value, datetime) else parse_datetime(str(value))
    if moment is None:
        return str(value)
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=UTC)
    return timezone.localtime(moment).strftime(fmt)
