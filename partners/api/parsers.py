"""JSON bodies the API accepts: nested at most MAX_JSON_DEPTH levels, and no NUL or lone surrogate anywhere."""

from django.utils.translation import gettext as _g
from rest_framework.parsers import JSONParser

from ..hygiene import bad_characters_message, has_bad_characters

# The deepest body the API documents is profiles → type → scenarios → item → field (5 levels); 32 leaves room
# and stops a body nested thousands of levels deep before anything walks it recursively.
MAX_JSON_DEPTH = 32


def too_deep_message() -> str:
    return _g("The JSON body is nested more than %(n)d levels deep.") % {"n": MAX_JSON_DEPTH}


def check_json(data, max_depth=MAX_JSON_DEPTH):
    """Walk the decoded body without recursion; ApiError on the first bad string or on too deep a nesting."""
    from .errors import ApiError  # here: DRF imports the parser while the API modules are still loading

    stack = [(data, 1, "")]
    while stack:
        value, depth, where = stack.pop()
        if isinstance(value, (dict, list)):
            if depth > max_depth:
                raise ApiError(too_deep_message(), code="too_deep")
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                name = f"{where}.{key}" if where else str(key)
                if has_bad_characters(key):
                    raise ApiError(bad_characters_message(), code="bad_characters",
                                   fields={where or "body": [bad_characters_message()]})
                stack.append((item, depth + 1, name))
        elif has_bad_characters(value):
            raise ApiError(bad_characters_message(), code="bad_characters", fields={where or "body": [
                bad_characters_message()]})


class StrictJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            from .errors import ApiError

            # The decoder itself gave up: far deeper than MAX_JSON_DEPTH.
            raise ApiError(too_deep_message(), code="too_deep") from None
        check_json(data)
        return data
