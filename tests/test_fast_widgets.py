"""The widgets that write their HTML in Python give exactly what Django's widget templates give."""

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.safestring import mark_safe

from partners.forms.fast_widgets import FastCheckboxInput, FastSelect, FastTextInput, ListedModelChoiceField
from partners.forms.review import BulkAssignForm, QueueFilterForm
from partners.models import District

STOCK = {FastSelect: forms.Select, FastTextInput: forms.TextInput, FastCheckboxInput: forms.CheckboxInput}


def stock_copy(widget):
    """The same widget as Django's own class, with the same attributes and choices."""
    stock = STOCK[type(widget)](attrs=dict(widget.attrs))
    if isinstance(widget, forms.Select):
        stock.choices = widget.choices
    return stock


CHOICES = [("", "All"), ("a", "Plain"), ("b", 'Quotes " and <tags> & ampersands'), (3, mark_safe("<b>safe</b>")),
           ("Group <1>", [("g1", "In a group"), ("g2", "Also")])]


@pytest.mark.parametrize("value", [None, "", "a", "b", 3, "g2", ["a", "g1"], "missing"])
@pytest.mark.parametrize("attrs", [{}, {"class": "form-select", "id": "id_x"}, {"disabled": True, "data-x": False},
                                   {"title": 'a "title" <here>', "rows": 3}])
def test_select_matches_the_template(value, attrs):
    fast = FastSelect(attrs=attrs, choices=CHOICES)
    assert fast.render("name<x>", value) == stock_copy(fast).render("name<x>", value)
    assert fast.render("n", value, attrs={"id": "other"}) == stock_copy(fast).render("n", value, attrs={"id": "other"})


def test_select_with_several_values_matches_the_template():
    fast = FastSelect(attrs={"multiple": True}, choices=CHOICES)
    fast.allow_multiple_selected = True
    stock = stock_copy(fast)
    stock.allow_multiple_selected = True
    assert fast.render("n", ["a", 3, "g2"]) == stock.render("n", ["a", 3, "g2"])


@pytest.mark.parametrize("value", [None, "", "九章 <b>&", 0, 12345, 1.5])
@pytest.mark.parametrize("attrs", [{}, {"class": "form-control", "maxlength": 200, "required": True}])
def test_text_input_matches_the_template(value, attrs):
    fast = FastTextInput(attrs=attrs)
    assert fast.render("q", value) == stock_copy(fast).render("q", value)


@pytest.mark.parametrize("value", [None, "", False, True, "1", "on"])
def test_checkbox_matches_the_template(value):
    fast = FastCheckboxInput(attrs={"class": "form-check-input"})
    assert fast.render("mine", value) == stock_copy(fast).render("mine", value)


def rendered_with_stock_widgets(form):
    html = []
    for name, field in form.fields.items():
        if type(field.widget) in STOCK:
            field.widget = stock_copy(field.widget)
        html.append(str(form[name]))
    return html


def rendered(form):
    return [str(form[name]) for name in form.fields]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("data", [None, {"q": "九章 <x>", "state": "submitted", "district": "110108", "mine": "1",
                                         "sort": "name"}, {"district": "nowhere", "state": "bogus"}])
def test_queue_forms_draw_what_the_stock_widgets_draw(reviewer, language, data):
    with translation.override(language):
        assert District.objects.exists()
        form = QueueFilterForm(data) if data is not None else QueueFilterForm()
        if data is not None:
            form.is_valid()
        expected = rendered_with_stock_widgets(QueueFilterForm(data) if data is not None else QueueFilterForm())
        assert rendered(form) == expected
        assign = BulkAssignForm(initial={"reviewer": reviewer.pk, "scope": "selected"})
        assert rendered(assign) == rendered_with_stock_widgets(
            BulkAssignForm(initial={"reviewer": reviewer.pk, "scope": "selected"}))
        assert f'value="{reviewer.pk}" selected' in str(assign["reviewer"])


@pytest.mark.django_db
def test_short_lists_are_read_in_one_plain_query():
    """A server-side cursor costs three round trips (DECLARE, FETCH, CLOSE) for a list of a few rows."""

    class Form(forms.Form):
        district = ListedModelChoiceField(queryset=District.objects.all(), required=False)

    with CaptureQueriesContext(connection) as queries:
        html = str(Form()["district"])
    assert len(queries.captured_queries) == 1
    assert "DECLARE" not in queries.captured_queries[0]["sql"]
    assert html.count("<option") == District.objects.count() + 1
