"""Spreadsheet cells written from people's text are text, never formulas (CSV/formula injection)."""

# What Excel, LibreOffice and Sheets read as the start of a formula (or a DDE command).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell_value_safe(value):
    """Return a value for a spreadsheet cell: a string that could start a formula gets a leading '."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def row_safe(row: list) -> list:
    """Return a row with every text cell made safe (see ``cell_value_safe``)."""
    return [cell_value_safe(v) for v in row]
