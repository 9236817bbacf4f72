"""Phone numbers as staff lists show them: never in full."""


def mask_phone(phone: str) -> str:
    """Return a phone number with its middle hidden: +86138****5678."""
    if not phone:
        return ""
    return phone[:-8] + "****" + phone[-4:] if len(phone) > 8 else "*" * len(phone)
