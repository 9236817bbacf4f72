"""Names as people typed them, without the invisible characters that can spoof a list."""

import unicodedata


def name_clean(value: str | None) -> str:
    """Return a name with format characters removed (NFC), stripped.

    Format characters (Unicode category Cf) are the bidi overrides and isolates
    (U+202A-202E, U+2066-2069), the direction marks, zero-width spaces and joiners and
    the byte-order mark: none belongs in a Chinese or Latin name, and a right-to-left
    override would show "王芳" in the review queue for what is stored as something else.
    A zero-width joiner between two emoji is kept: it draws them as one.
    """
    text = unicodedata.normalize("NFC", value or "")
    kept = []
    for i, ch in enumerate(text):
        if unicodedata.category(ch) != "Cf":
            kept.append(ch)
        elif ch == ZWJ and 0 < i < len(text) - 1 and _is_symbol(text[i - 1]) and _is_symbol(text[i + 1]):
            kept.append(ch)  # joins an emoji sequence (👩‍👧): shown as one picture, not hidden text
    return "".join(kept).strip()


ZWJ = "\u200d"


def _is_symbol(ch: str) -> bool:
    return unicodedata.category(ch) in ("So", "Sk")


def mask_name(name: str) -> str:
    """Return a name for public lists: the family name kept, the rest starred ("王**", "𠮷*")."""
    chars = list(name_clean(name))
    if not chars:
        return ""
    return chars[0] + "*" * max(1, len(chars) - 1)
