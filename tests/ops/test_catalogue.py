"""One language at a time: every msgid has English, no doubled "中文 / English" string is left,
and the conversion tool (manage.py i18n_split) splits, keeps and reports as documented."""

import textwrap
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import translation

from backend.ops.i18n import catalogue, po, sources
from backend.ops.i18n.doubled import split_doubled


def test_the_tree_has_english_for_every_msgid_and_no_doubled_string():
    # Extracts with makemessages into a copy of locale/: fails on a msgid without English, a fuzzy
    # or obsolete entry, a catalogue that is not current, or a doubled string left in the source.
    call_command("i18n_split", check=True)


def test_english_is_shown_by_the_language_switch_and_chinese_by_default():
    from backend.volunteers.models import Application

    with translation.override("zh-hans"):
        assert str(Application.Status.PENDING.label) == "待审核"
        assert translation.gettext("记录关爱") == "记录关爱"
    with translation.override("en"):
        assert str(Application.Status.PENDING.label) == translation.gettext("待审核") != "待审核"
        assert translation.gettext("记录关爱") == "Log care"


@pytest.mark.parametrize(
    ("text", "split"),
    [
        ("待审核 / Pending", ("待审核", "Pending")),
        ("导出 Excel / Export", ("导出 Excel", "Export")),
        ("近30天 / 90天有关爱记录 / Check-in in 30 / 90 days", ("近30天 / 90天有关爱记录", "Check-in in 30 / 90 days")),
        ("致谢所选记录（通知爱心妈妈）/ Thank them", ("致谢所选记录（通知爱心妈妈）", "Thank them")),
        ("已结对 / 应结对", None),
        ("待审核", None),
        ("模板:   /admin/x/ (manage.py y)", None),
    ],
)
def test_what_a_doubled_string_is(text, split):
    assert split_doubled(text) == split


def test_python_strings_in_gettext_are_split_and_others_reported():
    source = textwrap.dedent(
        '''
        """A docstring may say "中文 / English"."""
        from django.utils.translation import gettext_lazy as _, pgettext

        LABEL = _("待审核 / Pending")
        LONG = _("未满14周岁须记录监护人同意 / "
                 "consent is required under 14")
        NOUN = pgettext("noun", "结对 / Pairing")
        PLAIN = "同村 / same village"
        MIXED = _("格式错误 / bad format: %(e)s")
        '''
    )
    found = sources.python("x.py", source)
    assert found.pairs == {
        (None, "待审核"): "Pending",
        (None, "未满14周岁须记录监护人同意"): "consent is required under 14",
        ("noun", "结对"): "Pairing",
    }
    assert 'LABEL = _("待审核")' in found.text and 'NOUN = pgettext("noun", "结对")' in found.text
    assert 'LONG = _("未满14周岁须记录监护人同意")' in found.text
    assert any("not marked for translation" in m and "同村" in m for m in found.manual)
    assert any("placeholders differ" in m for m in found.manual)
    assert "docstring" in found.text and not any("docstring" in m for m in found.manual)
    # Idempotent: a second pass finds nothing more.
    again = sources.python("x.py", found.text)
    assert again.pairs == {} and not again.changed


def test_templates_are_split_and_plain_text_wrapped():
    source = (
        '{% extends "base.html" %}\n'
        '<h1>{% translate "待审核 / Pending" %}</h1>\n'
        "<p>{% blocktranslate with d=day %}统计日期：{{ d }} / As of {{ d }}{% endblocktranslate %}</p>\n"
        '<th>姓名 / Name</th><input value="保存 / Save">\n'
        "<b>{{ _('目标 100% / Target 100%') }}</b>\n"
        "<p>{{ n }} 人 / {{ n }} people</p>\n"
    )
    found = sources.template("t.html", source)
    assert found.text.startswith('{% extends "base.html" %}\n{% load i18n %}\n')
    assert '{% translate "待审核" %}' in found.text
    assert "统计日期：{{ d }}{% endblocktranslate %}" in found.text
    assert '<th>{% translate "姓名" %}</th>' in found.text
    assert "value=\"{% translate '保存' %}\"" in found.text
    assert found.pairs[(None, "统计日期：%(d)s")] == "As of %(d)s"
    assert found.pairs[(None, "目标 100%%")] == "Target 100%%"
    assert any("text with variables" in m for m in found.manual)
    assert sources.template("t.html", found.text).pairs == {}


def test_filling_keeps_english_clears_fuzzy_drops_obsolete_and_reports_missing():
    entries = po.parse(
        textwrap.dedent(
            """\
            msgid ""
            msgstr ""
            "Content-Type: text/plain; charset=CHARSET\\n"

            msgid "待审核"
            msgstr "Waiting"

            #, fuzzy
            #| msgid "已结对"
            msgid "未结对"
            msgstr "Paired"

            msgid "新字符串"
            msgstr ""

            msgid "记录关爱"
            msgstr ""

            #~ msgid "旧字符串"
            #~ msgstr "Old"
            """
        )
    )
    kept, report = catalogue.fill(entries, {(None, "待审核"): "Pending", (None, "记录关爱"): "Log care"})
    by_id = {e.msgid: e for e in kept}
    assert by_id["待审核"].msgstr == {"": "Waiting"}  # kept, reported as a conflict
    assert report.conflicts and "待审核" in report.conflicts[0]
    assert by_id["记录关爱"].msgstr == {"": "Log care"}
    assert by_id["未结对"].msgstr == {"": ""} and not by_id["未结对"].fuzzy  # no guessed English
    assert report.missing == ["未结对", "新字符串"]
    assert report.dropped == ["旧字符串"] and "旧字符串" not in by_id
    assert "charset=UTF-8" in by_id[""].msgstr[""] and "Language: en" in by_id[""].msgstr[""]
    # What is written reads back the same.
    assert [(e.key, e.msgstr) for e in po.parse(po.render(kept))] == [(e.key, e.msgstr) for e in kept]


def test_the_check_fails_on_a_string_without_english_and_a_doubled_one(tmp_path: Path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "views.py").write_text(
        'from django.utils.translation import gettext as _\n\nA = _("新来的字符串")\nB = _("待审核 / Pending")\n',
        encoding="utf-8",
    )
    with override_settings(BASE_DIR=tmp_path, LOCALE_PATHS=[tmp_path / "locale"]):
        with pytest.raises(CommandError) as failed:
            call_command("i18n_split", check=True)
        assert "no English: 新来的字符串" in str(failed.value)
        assert "app/views.py: doubled strings left" in str(failed.value)
        assert "not current" in str(failed.value)
        out = StringIO()
        call_command("i18n_split", stdout=out)
        report = out.getvalue()
        assert "msgids with no English yet" in report and "新来的字符串" in report
        written = {e.msgid: e.msgstr for e in po.read(catalogue.catalogue_path(tmp_path / "locale"))}
        assert written["待审核"] == {"": "Pending"} and written["新来的字符串"] == {"": ""}
        assert '_("待审核")' in (tmp_path / "app" / "views.py").read_text(encoding="utf-8")
        (tmp_path / "more.tsv").write_text("新来的字符串\tA newcomer\n", encoding="utf-8")
        call_command("i18n_split", translations=str(tmp_path / "more.tsv"), stdout=StringIO())
        call_command("i18n_split", check=True, stdout=StringIO())
