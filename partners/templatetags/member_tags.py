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
def change_label(change):
    """The translated name of the fact a ProfileChange changes, naming the partner type for a profile's fact."""
    from ..services.profile_changes import fact_label as label

    return label(change.profile_type, change.field)
