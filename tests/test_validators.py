"""Validators of credit codes, mobiles and filing numbers: each kind of bad input gets its own precise message."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from partners.validators import (
    USCC_CHARSET,
    build_credit_code,
    credit_code_errors,
    normalize_credit_code,
    normalize_mobile,
    org_code_check_character,
    uscc_check_character,
    validate_algorithm_filing,
    validate_credit_code,
    validate_genai_filing,
    validate_mobile,
)

EXAMPLE = "91350100M000100Y43"  # the standard's own worked example


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def messages(value):
    with pytest.raises(ValidationError) as info:
        validate_credit_code(value)
    return info.value.messages


def test_the_standards_example_is_valid():
    validate_credit_code(EXAMPLE)
    assert credit_code_errors(EXAMPLE) == []


def test_the_standards_counter_example_is_invalid():
    # Z is never used in a code, so the counter-example already fails on its character set.
    (message,) = messages("91350100M000100Y4Z")
    assert message.startswith("The characters Z cannot occur")


@pytest.mark.parametrize("code, n", [(EXAMPLE[:-1], 17), (EXAMPLE + "0", 19), ("", 0)])
def test_wrong_length(code, n):
    assert messages(code) == [f"A unified social credit code has 18 characters; this one has {n}."]


@pytest.mark.parametrize("char", ["Z", "S", "V"])
def test_forbidden_characters(char):
    code = EXAMPLE[:8] + char + EXAMPLE[9:]
    (message,) = messages(code)
    assert message.startswith(f"The characters {char} cannot occur")


def test_the_letters_o_and_i_are_read_as_the_digits_they_look_like():
    # I and O never occur in a code: a person who types one means 1 or 0 (full-width forms too).
    validate_credit_code(EXAMPLE.replace("0", "O"))
    validate_credit_code("９１３５０１００Ｍ０００１００Ｙ４３")
    assert normalize_credit_code("9I35O1OOM0001OOY43") == EXAMPLE


def test_several_forbidden_characters_are_listed_once_each():
    (message,) = messages("9135010ZSZ00100Y43")
    assert message.startswith("The characters S, Z cannot occur")


def test_wrong_check_character_only():
    wrong = "0" if EXAMPLE[-1] != "0" else "1"
    assert messages(EXAMPLE[:-1] + wrong) == [
        "The check character is wrong: the 18th character should be 3. Please compare with the licence."]


def test_wrong_embedded_organisation_code_check():
    body = "M000100Y"
    bad_org_check = "5" if org_code_check_character(body) != "5" else "6"
    first17 = "913501" + "00" + body + bad_org_check
    code = first17 + uscc_check_character(first17)  # the overall check is right; only the embedded one fails
    assert messages(code) == [
        f"The embedded organisation code {body}{bad_org_check} fails its check: the 17th character should be "
        f"{org_code_check_character(body)}."]


def test_division_must_be_digits():
    first17 = "91A50100M000100Y4"
    errors = credit_code_errors(first17 + uscc_check_character(first17))
    assert errors == ["Characters 3 to 8 must be the digits of an administrative division code."]


@pytest.mark.parametrize("raw", [" 9135 0100 M000 100Y 43 ", "91350100m000100y43", "91350100M000100Y43\n",
                                 "\t91350100 m000100y43"])
def test_normalisation_strips_white_space_and_upper_cases(raw):
    assert normalize_credit_code(raw) == EXAMPLE
    validate_credit_code(raw)


def test_messages_are_translated():
    msgid = "A unified social credit code has 18 characters; this one has %(n)d."
    with translation.override("zh-hans"):
        expected = translation.gettext(msgid) % {"n": 3}
        with pytest.raises(ValidationError) as info:
            validate_credit_code("123")
    assert info.value.messages == [expected]


body_chars = st.sampled_from([c for c in USCC_CHARSET if c.isdigit() or c.isupper()])
codes = st.builds(
    build_credit_code,
    st.sampled_from(["1", "5", "9", "Y"]),
    st.sampled_from(["1", "2", "3", "9"]),
    st.from_regex(r"\A[1-6][0-9]{5}\Z"),
    st.text(body_chars, min_size=8, max_size=8),
)


@given(codes)
def test_every_generated_code_validates(code):
    assert len(code) == 18
    assert credit_code_errors(code) == []


@given(codes, st.integers(min_value=0, max_value=17), st.sampled_from(USCC_CHARSET + "IOZSV"))
def test_any_single_character_change_fails(code, position, replacement):
    if code[position] == replacement:
        replacement = USCC_CHARSET[(USCC_CHARSET.index(replacement) + 1) % 31] if replacement in USCC_CHARSET \
            else "I"
    changed = code[:position] + replacement + code[position + 1:]
    assert credit_code_errors(changed) != []


# --- Mobiles -----------------------------------------------------------------------------------

@pytest.mark.parametrize("raw", ["13800138000", "138 0013 8000", "138-0013-8000", "+86 138 0013 8000",
                                 "0086-13800138000", "(86)13800138000", "19912345678"])
def test_valid_mobiles_normalise(raw):
    validate_mobile(raw)
    assert len(normalize_mobile(raw)) == 11


@pytest.mark.parametrize("raw", ["12800138000", "1380013800", "138001380001", "010-6552 9988", "abc", ""])
def test_malformed_mobiles_are_refused_with_an_example(raw):
    with pytest.raises(ValidationError) as info:
        validate_mobile(raw)
    assert info.value.code == "invalid_mobile"
    assert "11 digits" in info.value.messages[0]


# --- Filing numbers ----------------------------------------------------------------------------

def test_algorithm_filing():
    validate_algorithm_filing("网信算备110108823483901230031号")
    for bad in ["网信算备11010882348390123003号", "网信算备110108823483901230031", "110108823483901230031",
                "网信算备11010882348390123003X号"]:
        with pytest.raises(ValidationError) as info:
            validate_algorithm_filing(bad)
        assert info.value.code == "invalid_algorithm_filing"
        assert "网信算备" in info.value.messages[0]


def test_generative_ai_filing():
    for good in ["Beijing-YunQue-20230821", "Beijing-DeepseekChat-202404280016"]:
        validate_genai_filing(good)
    for bad in ["Beijing-YunQue-2023082", "beijing-YunQue-20230821", "Beijing YunQue 20230821",
                "Beijing-YunQue-2023082100", "YunQue-20230821"]:
        with pytest.raises(ValidationError) as info:
            validate_genai_filing(bad)
        assert info.value.code == "invalid_genai_filing"
