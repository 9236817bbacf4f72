"""The workspace's templates obey the content security policy: no inline script or style."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WORKSPACE_TEMPLATES = [
    *ROOT.glob("backend/workspace/templates/**/*.html"),
    *ROOT.glob("backend/*/templates/*/staff/**/*.html"),
    *ROOT.glob("pairing/templates/*/staff/**/*.html"),
]


def test_there_are_workspace_templates():
    assert any(p.name == "base.html" for p in WORKSPACE_TEMPLATES)


def test_no_workspace_template_has_an_inline_script_or_style():
    for path in WORKSPACE_TEMPLATES:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\sstyle\s*=", text), f"{path}: a style attribute"
        assert "<style" not in text, f"{path}: a <style> element"
        for tag in re.findall(r"<script\b[^>]*>", text):
            assert "src=" in tag, f"{path}: an inline <script>"
        assert not re.search(r"\son[a-z]+\s*=", text), f"{path}: an inline event handler"
        assert "hx-on" not in text, f"{path}: hx-on runs code from an attribute"


def test_no_new_doubled_chinese_english_strings():
    # New strings are one Chinese msgid each; the English catalogue comes later.
    doubled = re.compile(r"""\{%\s*translate\s+["'][^"']*[\u4e00-\u9fff][^"']* / [A-Za-z][^"']*["']""")
    for path in WORKSPACE_TEMPLATES:
        assert not doubled.search(path.read_text(encoding="utf-8")), f"{path}: a doubled 中文 / English string"
