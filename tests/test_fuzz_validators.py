"""Hypothesis on the validators and forms: any input gets a clear answer (valid, or a translated error),
never an exception; valid values built from their rules always pass; one wrong character always fails."""

import inspect

import pytest
from django import forms as django_forms
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from partners import validators as v

ANY_TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=60)
ORG_BODY = st.text(alphabet=[c for c in v.USCC_CHARSET if c.isdigit() or c.isupper()], min_size=8, max_size=8)
DIVISION = st.sampled_from(["110108", "110105", "110115", "310115", "440300"])
fuzz = settings(max_examples=200, deadline=None)


def valid_code(authority="9", category="1", division="110108", body="MA01ABCD"):
    return v.build_credit_code(authority, category, division, body)


# --- Unified social credit code -------------------------------------------------------------------------

@given(ANY_TEXT)
@fuzz
def test_credit_code_validation_never_crashes(text):
    try:
        v.validate_credit_code(text)
    except ValidationError as exc:
        assert all(str(m) for m in exc.messages)


@given(st.sampled_from("19"), st.sampled_from("123"), DIVISION, ORG_BODY)
@fuzz
def test_built_codes_always_validate_in_any_spacing_and_case(authority, category, division, body):
    code = v.build_credit_code(authority, category, division, body)
    v.validate_credit_code(code)
    v.validate_credit_code(" ".join(code[i:i + 4] for i in range(0, 18, 4)).lower())
    assert v.normalize_credit_code(v.normalize_credit_code(code)) == code


@given(DIVISION, ORG_BODY, st.integers(0, 17), st.sampled_from(v.USCC_CHARSET))
@fuzz
def test_any_single_wrong_character_is_caught(division, body, position, replacement):
    code = v.build_credit_code("9", "1", division, body)
    assume(code[position] != replacement)
    wrong = code[:position] + replacement + code[position + 1:]
    assert v.credit_code_errors(wrong), f"{wrong} passed although {code} is the valid code"


# --- Phones ---------------------------------------------------------------------------------------------

@given(ANY_TEXT)
@fuzz
def test_mobile_validation_never_crashes_and_normalising_is_stable(text):
    once = v.normalize_mobile(text)
    assert v.normalize_mobile(once) == once
    try:
        v.validate_mobile(text)
    except ValidationError:
        return
    assert v.MOBILE_RE.match(once)


@given(st.sampled_from("3456789"), st.text(alphabet="0123456789", min_size=9, max_size=9),
       st.sampled_from(["", "+86", "0086", "86", "+86 "]), st.sampled_from(["", " ", "-"]))
@fuzz
def test_mainland_mobiles_pass_in_the_ways_people_write_them(second, rest, prefix, sep):
    number = "1" + second + rest
    written = prefix + sep.join([number[:3], number[3:7], number[7:]])
    v.validate_mobile(written)
    assert v.normalize_mobile(written) == number


# --- Filing numbers and passwords -------------------------------------------------------------------------

@given(ANY_TEXT)
@fuzz
def test_filing_validators_never_crash(text):
    for validator in (v.validate_algorithm_filing, v.validate_genai_filing):
        try:
            validator(text)
        except ValidationError:
            pass


@given(st.text(alphabet="0123456789", min_size=21, max_size=21))
@fuzz
def test_algorithm_filings_built_by_the_rule_pass(digits):
    v.validate_algorithm_filing(f"网信算备{digits}号")


@given(st.text(max_size=80), st.emails())
@fuzz
def test_password_complexity_answers_every_password(password, email):
    class Person:
        pass

    person = Person()
    person.email = email
    try:
        v.PasswordComplexityValidator().validate(password, person)
    except ValidationError as exc:
        assert exc.messages
        return
    kinds = [any(c.islower() for c in password), any(c.isupper() for c in password),
             any(c.isdigit() for c in password), any(not c.isalnum() for c in password)]
    assert sum(kinds) >= 3 and password.lower() != email.lower()


# --- Forms ------------------------------------------------------------------------------------------------

def registry_forms():
    """Every form class of partners.forms that can be built from data alone."""
    import importlib
    import pkgutil

    import partners.forms as package

    found = {}
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"partners.forms.{info.name}")
        for name, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, django_forms.BaseForm) and obj.__module__ == module.__name__:
                found[f"{info.name}.{name}"] = obj
    return found


FORMS = registry_forms()


def as_querydict(data):
    """Form data as a browser sends it: every value a string, several values for multiple choices."""
    from django.http import QueryDict

    query = QueryDict(mutable=True)
    for key, value in data.items():
        query.setlist(key, value if isinstance(value, list) else [value])
    return query


def field_values(form):
    strategies = {}
    for name, field in form.fields.items():
        if isinstance(field, django_forms.MultipleChoiceField | django_forms.ModelMultipleChoiceField):
            strategies[name] = st.lists(ANY_TEXT, max_size=3)
        elif isinstance(field, django_forms.FileField):
            continue
        else:
            strategies[name] = st.one_of(ANY_TEXT, st.integers().map(str), st.just(""))
    return st.fixed_dictionaries(strategies)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(FORMS))
def test_forms_answer_any_input_with_errors_or_clean_data(name, applicant):
    form_class = FORMS[name]
    try:
        probe = form_class()
    except TypeError:
        pytest.skip(f"{name} needs more than data to be built")
    except Exception as exc:  # noqa: BLE001 - forms needing a request or an instance are covered by views
        pytest.skip(f"{name} cannot be built alone: {type(exc).__name__}")

    @given(data=field_values(probe))
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                      HealthCheck.too_slow])
    def run(data):
        form = form_class(data=as_querydict(data))
        if form.is_valid():
            return
        for errors in form.errors.values():
            assert all(str(e) for e in errors)

    run()
