"""Phone numbers where a landline is normal (an organisation's contact): mainland mobiles and fixed lines.

Mobiles keep the 11-digit form of validators.normalize_mobile; fixed lines are checked by libphonenumber
(region CN) and written as area code, hyphen, number (010-65529988), with an extension after another hyphen.
"""

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .validators import MOBILE_RE, normalize_mobile

_EXTENSION = re.compile(r"\s*(?:转|分机|ext\.?|x|-)\s*(\d{1,6})\s*$", re.IGNORECASE)
_FIXED = (phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)


def _split_extension(value):
    text = (value or "").strip().translate(str.maketrans("０１２３４５６７８９（）－＋", "0123456789()-+"))
    # Only a trailing group after a full number is an extension (010-6552-9988 is not one).
    match = _EXTENSION.search(text)
    if match and len(re.sub(r"\D", "", text[:match.start()])) >= 10:
        return text[:match.start()], match.group(1)
    return text, ""


def normalize_phone(value: str) -> str:
    """The stored form: 13800138000 for a mobile, 010-65529988 (or 010-65529988-123) for a fixed line."""
    text, extension = _split_extension(value)
    mobile = normalize_mobile(text)
    if MOBILE_RE.match(mobile) and not extension:
        return mobile
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        return (value or "").strip()
    if not phonenumbers.is_valid_number(number) or phonenumbers.number_type(number) not in _FIXED:
        return (value or "").strip()
    national = str(number.national_number)
    area_length = 2 if national[0] in "12" else 3  # Beijing 10, Shanghai 21, ...; elsewhere 3 digits
    result = f"0{national[:area_length]}-{national[area_length:]}"
    return f"{result}-{extension}" if extension else result


def validate_phone(value: str) -> None:
    """A mainland mobile or a fixed line with its area code; the message shows both forms."""
    normal = normalize_phone(value)
    if MOBILE_RE.match(normal) or re.match(r"^0\d{2,3}-\d{7,8}(-\d{1,6})?$", normal):
        return
    raise ValidationError(
        _("Enter a mobile number (138 0013 8000) or a landline with its area code (010-6552 9988)."),
        code="invalid_phone")
