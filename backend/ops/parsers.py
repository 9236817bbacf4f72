"""The API's JSON parser: hostile bodies are a 400, never a 500."""

import json

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# No form of the platform nests deeper than a few levels.
MAX_JSON_DEPTH = 32


def _depth_and_nul(value, depth: int = 0) -> tuple[int, bool]:
    """Return (nesting depth, whether any key or string holds NUL), stopping past the limit."""
    if depth > MAX_JSON_DEPTH:
        return depth, False
    if isinstance(value, dict):
        deepest, nul = depth, False
        for key, item in value.items():
            d, n = _depth_and_nul(item, depth + 1)
            deepest, nul = max(deepest, d), nul or n or "\x00" in key
        return deepest, nul
    if isinstance(value, list):
        deepest, nul = depth, False
        for item in value:
            d, n = _depth_and_nul(item, depth + 1)
            deepest, nul = max(deepest, d), nul or n
        return deepest, nul
    return depth, isinstance(value, str) and "\x00" in value


class SafeJSONParser(JSONParser):
    """JSONParser that answers 400 to a body nested too deep or holding NUL characters.

    A 1,000-deep body raised RecursionError in the decoder and NUL in a key reached
    PostgreSQL (which refuses it in text): both were 500s.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = stream.read().decode(encoding)
            data = json.loads(text, parse_constant=self._reject_constant)
        except RecursionError:
            raise ParseError(_("JSON 嵌套过深")) from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise ParseError(_("JSON 格式错误：%(e)s") % {"e": exc}) from None
        depth, nul = _depth_and_nul(data)
        if depth > MAX_JSON_DEPTH:
            raise ParseError(_("JSON 嵌套过深"))
        if nul:
            raise ParseError(_("请求含有非法字符"))
        return data

    @staticmethod
    def _reject_constant(name):
        raise ValueError(f"{name} is not allowed")
