"""Widgets that write the HTML of Django's own widget templates in Python, for forms drawn on every page view.

Django renders a select through one template per option (select.html includes select_option.html, which
includes attrs.html): the staff queue's filter and assignment forms cost more to draw than the queue's rows.
These widgets give the same bytes (tests/test_fast_widgets.py compares them with Django's templates), so a
form can switch back to the stock widgets at any time.
"""

from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe


def _text(value) -> str:
    """What `{{ value }}` prints: localised, then escaped unless already safe."""
    return str(conditional_escape(localize(value)))


def _formatted(value) -> str:
    """What `{{ value|stringformat:'s' }}` prints."""
    return str(conditional_escape("%s" % value))  # noqa: UP031 (the filter's own formatting)


def _attrs(attrs) -> str:
    """django/forms/widgets/attrs.html."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(f" {_text(name)}" if value is True else f' {_text(name)}="{_formatted(value)}"')
    return "".join(out)


class FastSelect(forms.Select):
    """forms.Select, written without the template engine (django/forms/widgets/select.html)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, group_choices, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{_text(group_name)}">')
            for option in group_choices:
                # select_option.html ends with a newline, which its include keeps.
                parts.append(f'\n  <option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>'
                             f'{_text(option["label"])}</option>\n')
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 (every part escaped above)


class _FastInput:
    """django/forms/widgets/input.html, for the Input widgets below."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        shown = f' value="{_formatted(widget["value"])}"' if widget["value"] is not None else ""
        return mark_safe(  # noqa: S308 (every part escaped)
            f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{shown}{_attrs(widget["attrs"])}>')


class FastTextInput(_FastInput, forms.TextInput):
    pass


class FastCheckboxInput(_FastInput, forms.CheckboxInput):
    pass


class ListedChoiceIterator(ModelChoiceIterator):
    """The choices read in one plain query: Django's iterator() opens a server-side cursor (DECLARE, FETCH,
    CLOSE: three round trips, and a cursor WITH HOLD outside a transaction) for a list of a few rows."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in list(self.queryset):
            yield self.choice(obj)


class ListedModelChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField for short lists (districts, calls, reviewers), drawn by FastSelect."""

    iterator = ListedChoiceIterator
    widget = FastSelect
