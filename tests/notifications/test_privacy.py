"""No message may carry a child's full name, ID number, address or situation."""

import re

import pytest

from backend.ops.errors import ServiceError
from notifications.services import ID_NUMBER_RE, text_guard
from notifications.templates import template_all

# What the children's files hold and a message must never show.
SITUATION_WORDS = [
    "孤儿",
    "事实无人抚养",
    "重病",
    "残疾",
    "低保",
    "特困",
    "留守",
    "困境",
    "监护缺失",
    "家暴",
    "虐待",
    "辍学",
    "心理问题",
    "服刑",
    "戒毒",
]
ADDRESS_RE = re.compile(r"[\u4e00-\u9fff]{1,10}(村|组|号|栋|单元|室|路|街|巷|弄)\d|\d+号")
# A child's name as the children app would store it, and the names demo/factories use.
CHILD_NAME_PARAM_KEYS = {"child_name", "child", "child_full_name", "name_of_child"}


def renderings():
    for template in template_all():
        yield template.name, template.render(template.example or {})


def test_every_template_has_example_parameters_that_render():
    templates = template_all()
    assert templates, "no templates registered"
    for template in templates:
        assert template.example is not None, f"{template.name} has no example parameters"
        assert template.render(template.example)


@pytest.mark.parametrize("name, text", list(renderings()))
def test_no_template_rendering_holds_a_childs_id_address_or_situation(name, text):
    assert not ID_NUMBER_RE.search(text), f"{name}: an ID number"
    assert not re.search(r"\d{15,}", text), f"{name}: a long number"
    assert not ADDRESS_RE.search(text), f"{name}: an address"
    for word in SITUATION_WORDS:
        assert word not in text, f"{name}: the situation word {word}"


@pytest.mark.parametrize("template", template_all(), ids=lambda t: t.name)
def test_no_template_takes_a_childs_full_name(template):
    placeholders = set(re.findall(r"{(\w+)", template.text))
    assert not placeholders & CHILD_NAME_PARAM_KEYS, f"{template.name} takes a child's name"


@pytest.mark.parametrize(
    "text",
    ["身份证140521201001011234", "ID 14052120100101123X ok", "14052120100101123x"],
)
def test_the_send_time_guard_refuses_id_numbers(text):
    with pytest.raises(ServiceError):
        text_guard(text)


def test_the_guard_lets_codes_and_phone_numbers_through():
    text_guard("您的验证码是482913，客服电话 0356-1234567，手机 13800000000")


def provider_variables():
    """What each SMS template's variables carry to Aliyun and Tencent (the values providers store)."""
    from notifications.provider_templates import ApprovedTemplate, template_placeholders, template_values

    for template in template_all():
        if template.name.endswith("_digest"):
            continue
        for provider in ("aliyun", "tencent"):
            approved = ApprovedTemplate(
                provider=provider,
                template=template.name,
                code="x",
                variables=template_placeholders(template.text),
                max_length=1000,
                allow_links=False,
            )
            yield template.name, provider, template_values(approved, template.example or {})


@pytest.mark.parametrize("name, provider, values", list(provider_variables()), ids=lambda v: str(v)[:40])
def test_no_provider_variable_carries_a_childs_id_address_situation_or_full_name(name, provider, values):
    for variable, value in values:
        assert variable not in CHILD_NAME_PARAM_KEYS, f"{name}: {variable} is a child's name"
        assert not ID_NUMBER_RE.search(value), f"{name} at {provider}: an ID number in {variable}"
        assert not re.search(r"\d{15,}", value), f"{name} at {provider}: a long number in {variable}"
        assert not ADDRESS_RE.search(value), f"{name} at {provider}: an address in {variable}"
        for word in SITUATION_WORDS:
            assert word not in value, f"{name} at {provider}: the situation word {word} in {variable}"


@pytest.mark.parametrize("template", template_all(), ids=lambda t: t.name)
def test_the_text_submitted_for_approval_holds_no_situation_word(template):
    from notifications.provider_templates import approval_text

    for provider in ("aliyun", "tencent"):
        text = approval_text(template, provider)
        assert not any(word in text for word in SITUATION_WORDS), template.name
