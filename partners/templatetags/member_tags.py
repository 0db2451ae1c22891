"""Template helpers of the member pages: a form's field by name (the inputs an action requires)."""

from django import template

register = template.Library()


@register.filter
def field_named(form, name):
    return form[name]


@register.filter
def item(mapping, key):
    return (mapping or {}).get(key)
