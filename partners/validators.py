"""Validators for the codes and formats the registry accepts: credit codes, phones, filings, passwords."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

# --- Unified Social Credit Code (GB 32100-2015) ---------------------------------------------

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_VALUES = {c: i for i, c in enumerate(USCC_CHARSET)}
USCC_WEIGHTS = [pow(3, i, 31) for i in range(17)]
ORG_CODE_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]


# I and O never occur in a credit code; people who type one mean the digit that looks like it.
CONFUSED = str.maketrans({"O": "0", "I": "1"})


def normalize_credit_code(value: str) -> str:
    """Full-width characters to their ASCII form, every kind of white space stripped, upper-cased, and the letters
    O and I (never used in a code) read as the digits 0 and 1, as people type and paste codes from licences."""
    text = unicodedata.normalize("NFKC", value or "")
    return re.sub(r"\s+", "", text).upper().translate(CONFUSED)


def uscc_check_character(first17: str) -> str:
    total = sum(USCC_VALUES[c] * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def org_code_check_character(body8: str) -> str:
    def value(c):
        return int(c) if c.isdigit() else ord(c) - ord("A") + 10

    remainder = 11 - sum(value(c) * w for c, w in zip(body8, ORG_CODE_WEIGHTS, strict=True)) % 11
    return {10: "X", 11: "0"}.get(remainder, str(remainder))


def credit_code_errors(code: str) -> list[str]:
    """Every reason a normalised code is invalid, in the order a person can fix them."""
    if len(code) != 18:
        return [_g("A unified social credit code has 18 characters; this one has %(n)d.") % {"n": len(code)}]
    bad = sorted({c for c in code if c not in USCC_CHARSET})
    if bad:
        return [
            _g("The characters %(chars)s cannot occur in a unified social credit code (I, O, Z, S and V are never used).")
            % {"chars": ", ".join(bad)}
        ]
    errors = []
    if not code[2:8].isdigit():
        errors.append(_g("Characters 3 to 8 must be the digits of an administrative division code."))
    body = code[8:16]
    if all(c.isdigit() or c.isupper() for c in body):
        expected_org = org_code_check_character(body)
        if code[16] != expected_org:
            errors.append(
                _g("The embedded organisation code %(code)s fails its check: the 17th character should be %(c)s.")
                % {"code": code[8:17], "c": expected_org}
            )
    expected = uscc_check_character(code[:17])
    if code[17] != expected:
        errors.append(
            _g("The check character is wrong: the 18th character should be %(c)s. Please compare with the licence.")
            % {"c": expected}
        )
    return errors


def validate_credit_code(value: str) -> None:
    errors = credit_code_errors(normalize_credit_code(value))
    if errors:
        raise ValidationError(errors, code="invalid_credit_code")


def build_credit_code(authority: str, category: str, division: str, org_body: str) -> str:
    """Build a valid code from its parts (the demo seeds and the tests use it)."""
    org = org_body + org_code_check_character(org_body)
    first17 = authority + category + division + org
    return first17 + uscc_check_character(first17)


# --- Phones ---------------------------------------------------------------------------------

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def normalize_mobile(value: str) -> str:
    digits = re.sub(r"[\s\-()（）]", "", value or "")
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) == 11:
            digits = digits[len(prefix):]
            break
    return digits


def validate_mobile(value: str) -> None:
    if not MOBILE_RE.match(normalize_mobile(value)):
        raise ValidationError(
            _("Enter a mainland mobile number of 11 digits starting with 13–19, e.g. 138 0013 8000."),
            code="invalid_mobile",
        )


# --- Filing numbers of model partners -------------------------------------------------------

ALGORITHM_FILING_RE = re.compile(r"^网信算备\d{21}号$")
GENAI_FILING_RE = re.compile(r"^[A-Z][A-Za-z]+-[A-Za-z0-9]+-\d{8}(\d{4})?$")


def validate_algorithm_filing(value: str) -> None:
    if not ALGORITHM_FILING_RE.match((value or "").strip()):
        raise ValidationError(
            _("An algorithm filing number reads 网信算备, 21 digits, then 号, e.g. 网信算备110108823483901230031号."),
            code="invalid_algorithm_filing",
        )


def validate_genai_filing(value: str) -> None:
    if not GENAI_FILING_RE.match((value or "").strip()):
        raise ValidationError(
            _("A generative-AI service filing reads Province-ModelName-YYYYMMDD, optionally with a four-digit serial, "
              "e.g. Beijing-YunQue-20230821."),
            code="invalid_genai_filing",
        )


# --- Passwords ------------------------------------------------------------------------------


class PasswordComplexityValidator:
    """At least three of: lower case, upper case, digit, symbol (the graded-protection baseline)."""

    def validate(self, password, user=None):
        classes = [
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
        if sum(classes) < 3:
            raise ValidationError(
                _("The password must mix at least three of: lower-case letters, upper-case letters, digits, symbols."),
                code="password_too_simple",
            )
        if user is not None and getattr(user, "email", "") and password.lower() == user.email.lower():
            raise ValidationError(_("The password cannot be your e-mail address."), code="password_is_email")

    def get_help_text(self):
        return _("Mix at least three of: lower-case letters, upper-case letters, digits, symbols.")
