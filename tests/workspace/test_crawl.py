"""Crawl every /staff/ page reachable by links, as each role, and read it as a person would.

Fails on any 5xx, and on any page whose visible text holds a raw choice code, a JSON literal,
or an English-only label (in Chinese mode). Staffb's pages are covered once they are linked.
In English mode (the language switch's cookie) a crawl fails on a label shown in Chinese.
"""

import html as html_lib
import re
from collections import deque
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
from django.apps import apps
from django.db import models
from django.urls import Resolver404, resolve

from tests.hardening.conftest import world  # noqa: F401  (the shared world of every role and object)

pytestmark = pytest.mark.django_db

ROLES_CRAWLED = ("director", "village", "town", "county", "city", "superuser")
# Visit at most this many URLs of one URL name (a list's 50 files are alike).
PER_NAME = 3
SKIP = re.compile(r"/logout/|\.xlsx|\.csv|/reveal/|/exit/")
HREF = re.compile(r'href="([^"#][^"]*)"')
TEXT = re.compile(r">([^<]+)<")
CJK = re.compile(r"[\u4e00-\u9fff]")
JSON_LITERAL = re.compile(r'\[\s*"|\{\s*"|\[\s*\]|\{\s*\}')
# ASCII words a Chinese page may show: product names, units, formats.
ALLOWED_WORDS = {"Excel", "ID", "WeChat", "SMS", "CSV", "xlsx", "PDF", "A4", "English"}  # and the language switch


def _choice_codes() -> set[str]:
    """Every stored choice code of the platform's models that a person could mistake for a word."""
    codes = set()
    for model in apps.get_models():
        if not model.__module__.startswith(("backend.", "pairing.", "notifications.")):
            continue
        for field in model._meta.get_fields():
            if isinstance(field, models.Field) and field.choices:
                for value, _label in field.flatchoices:
                    if isinstance(value, str) and re.fullmatch(r"[a-z][a-z_]{2,}", value):
                        codes.add(value)
    return codes


def _visible_texts(page: str) -> list[str]:
    page = re.sub(r"<script\b.*?</script>", "", page, flags=re.S)
    page = re.sub(r"<style\b.*?</style>", "", page, flags=re.S)
    page = re.sub(r"<textarea\b.*?</textarea>", "", page, flags=re.S)  # what a person typed
    return [html_lib.unescape(t).strip() for t in TEXT.findall(page) if t.strip()]


def _problems(url: str, page: str, codes: set[str]) -> list[str]:
    found = []
    for text in _visible_texts(page):
        words = set(re.findall(r"[A-Za-z_]+", text))
        # A code alone, or a snake_case one anywhere.
        raw = {w for w in words & codes if "_" in w or not CJK.search(text)}
        if raw:
            found.append(f"{url}: raw code {sorted(raw)} in {text!r}")
        if JSON_LITERAL.search(text):
            found.append(f"{url}: JSON literal in {text!r}")
        english = {w for w in re.findall(r"[A-Za-z]{3,}", text)} - ALLOWED_WORDS
        if english and not CJK.search(text) and "@" not in text and "." not in text:
            found.append(f"{url}: English-only text {text!r}")
    return found


def _untranslated(url: str, page: str, codes: set[str], msgids: set[str]) -> list[str]:
    """English mode: a text that is one of the catalogue's Chinese msgids was not translated."""
    found = []
    for text in _visible_texts(page):
        # English words may be codes ("acknowledged"): only a snake_case one, or one alone, is raw.
        raw = {w for w in set(re.findall(r"[A-Za-z_]+", text)) & codes if "_" in w or w == text}
        if raw:
            found.append(f"{url}: raw code {sorted(raw)} in {text!r}")
        if JSON_LITERAL.search(text):
            found.append(f"{url}: JSON literal in {text!r}")
        if text in msgids:
            found.append(f"{url}: Chinese label in English mode {text!r}")
    return found


def _msgids() -> set[str]:
    from django.conf import settings

    from backend.ops.i18n import catalogue, po

    entries = po.read(catalogue.catalogue_path(Path(settings.LOCALE_PATHS[0])))
    return {e.msgid for e in entries if e.msgid and CJK.search(e.msgid) and not re.search(r"%|\{", e.msgid)}


def _crawl(client, start: str = "/staff/", check=None) -> tuple[dict[str, int], list[str]]:
    codes = _choice_codes()
    check = check or _problems
    seen: dict[str, int] = {}
    per_name: dict[str, int] = {}
    problems: list[str] = []
    queue = deque([start])
    while queue:
        url = queue.popleft()
        if url in seen:
            continue
        try:
            name = resolve(urlsplit(url).path).view_name
        except Resolver404:
            name = url
        if per_name.get(name, 0) >= PER_NAME:
            continue
        per_name[name] = per_name.get(name, 0) + 1
        response = client.get(url)
        seen[url] = response.status_code
        if response.status_code >= 500:
            problems.append(f"{url}: {response.status_code}")
            continue
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        page = response.content.decode()
        problems += check(url, page, codes)
        for href in HREF.findall(page):
            href = urldefrag(html_lib.unescape(href))[0]
            if href.startswith("/staff/") and not SKIP.search(href) and href not in seen:
                queue.append(href)
    return seen, problems


@pytest.mark.parametrize("role", ROLES_CRAWLED)
def test_every_staff_page_reads_in_words(client, world, role):  # noqa: F811
    from backend.children.services import concern_raise

    objects = world["objects"]["in"]
    concern_raise(
        child=objects["child"],
        raised_by=world["users"]["county"],
        severity="urgent",
        category="abuse",
        description="邻居反映孩子身上有伤",
    )
    client.force_login(world["users"][role])
    seen, problems = _crawl(client)
    assert problems == []
    assert len(seen) >= 5, seen
    assert all(status < 500 for status in seen.values())
    # the crawl reached the sections she works in
    reached = {resolve(urlsplit(u).path).view_name for u in seen}
    assert {"workspace:home", "children_staff:list", "children_staff:file", "concerns_staff:detail"} <= reached


@pytest.mark.parametrize("role", ("county", "director"))
def test_in_english_no_staff_page_shows_a_chinese_label(client, world, role):  # noqa: F811
    client.force_login(world["users"][role])
    client.cookies["django_language"] = "en"
    msgids = _msgids()
    seen, problems = _crawl(client, check=lambda url, page, codes: _untranslated(url, page, codes, msgids))
    assert problems == [], "\n".join(problems)
    assert len(seen) >= 5, seen
    page = client.get("/staff/").content.decode()
    assert 'lang="en"' in page and "Sign out" in page


def test_the_english_crawl_catches_a_chinese_label():
    found = _untranslated("/x/", "<h1>待办</h1><td>王小红</td><b>To do</b>", set(), {"待办"})
    assert found == ["/x/: Chinese label in English mode '待办'"]


def test_the_crawler_catches_a_raw_code_json_and_english():
    codes = {"left_behind", "psychological"}
    page = '<p>left_behind</p><td>["holidays"]</td><span>Pending review</span><b>留守儿童</b>'
    found = " | ".join(_problems("/x/", page, codes))
    assert "raw code ['left_behind']" in found
    assert "JSON literal" in found
    assert "English-only text 'Pending review'" in found
    assert "留守儿童" not in found
