"""How many SMS segments a text costs: GSM-7 160/153, UCS-2 (any Chinese) 70/67."""

# The GSM 03.38 basic set; extension characters cost two septets.
_GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXT = set("^{}\\[~]|€\f")


def sms_encoding(text: str) -> str:
    """Return "GSM-7" if every character fits the GSM alphabet, else "UCS-2"."""
    return "GSM-7" if all(c in _GSM7 or c in _GSM7_EXT for c in text) else "UCS-2"


def sms_units(text: str) -> tuple[int, int, int]:
    """Return (units used, units in a single SMS, units per part of a long SMS)."""
    if sms_encoding(text) == "GSM-7":
        return sum(2 if c in _GSM7_EXT else 1 for c in text), 160, 153
    # UCS-2 counts UTF-16 code units: a character outside the BMP (some emoji) takes two.
    return len(text.encode("utf-16-le")) // 2, 70, 67


def sms_segments(text: str) -> int:
    """Return the number of segments (billed messages) the text is sent as."""
    used, single, per_part = sms_units(text)
    if used <= single:
        return 1
    return -(-used // per_part)


def sms_split(text: str) -> list[str]:
    """Split a text into the parts a phone receives, never cutting a surrogate pair."""
    used, single, per_part = sms_units(text)
    if used <= single:
        return [text]
    parts, current, size = [], "", 0
    ucs2 = sms_encoding(text) == "UCS-2"
    for char in text:
        cost = (len(char.encode("utf-16-le")) // 2) if ucs2 else (2 if char in _GSM7_EXT else 1)
        if size + cost > per_part:
            parts.append(current)
            current, size = "", 0
        current += char
        size += cost
    if current:
        parts.append(current)
    return parts
