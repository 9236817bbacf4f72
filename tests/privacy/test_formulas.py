import pytest

from backend.privacy.formulas import cell_value_safe, row_safe


@pytest.mark.parametrize("text", ["=1+1", "+86 138", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_text_that_could_start_a_formula_gets_a_leading_apostrophe(text):
    assert cell_value_safe(text) == "'" + text


def test_other_values_are_unchanged():
    assert row_safe(["王芳", 3, None, -2, "a=b"]) == ["王芳", 3, None, -2, "a=b"]
