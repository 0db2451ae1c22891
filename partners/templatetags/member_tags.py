"""Template helpers of the member pages: a form's field by name (the inputs an action requires)."""

from django import template

register = template.Library()


@register.filter
def field_named(form, name):
    return form[name]


@register.filter
def item(mapping, key):
    return (mapping or {}).get(key)


@register.filter
def fact_label(field):
    """The translated name of a public fact a member may change (profile_changes.FIELDS)."""
    from ..services.profile_changes import FIELDS

    entry = FIELDS.get(field)
    return entry[0] if entry else field
