"""Model sizes in the units people use: "70B", "700亿", "1.5T", "1.5万亿", or a plain number of B (billions)."""

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

# How many billions (B) one of each unit is: 1 亿 = 0.1 B, 1 万亿 = 1 T = 1,000 B, 1 M = 0.001 B.
UNITS = {"": Decimal(1), "b": Decimal(1), "bn": Decimal(1), "亿": Decimal("0.1"), "t": Decimal(1000),
         "万亿": Decimal(1000), "m": Decimal("0.001"), "百万": Decimal("0.001")}
_PATTERN = re.compile(r"^(\d+(?:\.\d+)?)\s*(b|bn|t|m|亿|万亿|百万)?$", re.IGNORECASE)


def parse_parameters(text) -> Decimal | None:
    """Billions of parameters in the text, or None for empty text; ValueError when it is not a size."""
    value = (str(text) if text is not None else "").strip().replace(",", "").replace("，", "")
    value = value.translate(str.maketrans("０１２３４５６７８９．", "0123456789."))
    value = re.sub(r"(参数|parameters?)$", "", value, flags=re.IGNORECASE).strip()
    if not value:
        return None
    match = _PATTERN.match(value)
    if not match:
        raise ValueError(value)
    try:
        number = Decimal(match.group(1))
    except InvalidOperation:
        raise ValueError(value) from None
    return (number * UNITS[(match.group(2) or "").lower()]).quantize(Decimal("0.1"))


class ParameterScaleField(forms.CharField):
    """A text field for model size that accepts B, 亿, T or 万亿 and gives billions (B)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Parameters of the largest model"))
        kwargs.setdefault("help_text", _("In B (billions) or 亿, e.g. 70B or 700亿; 1 B = 10 亿."))
        kwargs.setdefault("max_length", 30)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return f"{value.normalize():f}B"
        return value

    def clean(self, value):
        text = super().clean(value)
        try:
            billions = parse_parameters(text)
        except ValueError:
            raise forms.ValidationError(_("Write the size as a number with B or 亿, e.g. 70B or 700亿."),
                                        code="invalid_parameters") from None
        if billions is not None and billions >= Decimal("1000000000"):
            raise forms.ValidationError(_("This size is larger than any model; please check the unit."),
                                        code="invalid_parameters")
        return billions
