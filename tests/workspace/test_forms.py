"""The workspace's shared form pieces."""

from django import forms
from django.test.html import parse_html

from backend.workspace.forms import LongSelect


def test_the_long_select_writes_the_same_html_as_djangos_select():
    choices = [
        ("", "请选择"),
        ("140521100001", "柳庄社区 <居委会> & “引号”"),
        ("乡镇", [("140521100", "龙港镇"), ("140521101", "中村镇")]),
    ]
    for value in ("", "140521100001", "140521101", None, "不存在"):
        attrs = {"id": "id_region", "required": True, "class": "ws-select"}
        ours = LongSelect(choices=choices).render("region", value, attrs)
        theirs = forms.Select(choices=choices).render("region", value, attrs)
        assert parse_html(ours) == parse_html(theirs), value  # attribute order aside
    assert "&lt;居委会&gt; &amp;" in LongSelect(choices=choices).render("region", "")


def test_a_form_field_with_the_long_select_keeps_its_choice_and_error():
    class F(forms.Form):
        region = forms.ChoiceField(choices=[("1", "一"), ("2", "二")], widget=LongSelect)

    form = F({"region": "2"})
    assert form.is_valid() and 'value="2" selected' in str(form["region"])
    assert not F({"region": "3"}).is_valid()
