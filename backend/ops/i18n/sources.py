"""Find the doubled strings of the tree and rewrite the translatable ones to their Chinese half.

Rewritten (the English half goes to the catalogue):
- Python: the message argument of gettext, gettext_lazy, pgettext, … and ``_()``, when it is a
  literal (implicit concatenation included);
- templates: ``{% translate %}``, ``{% blocktranslate %}`` (no plural), ``{{ _("…") }}`` and plain
  text between tags or in a placeholder/title/aria-label/value attribute (wrapped in
  ``{% translate %}``, with ``{% load i18n %}`` added).

Reported, not rewritten (a person decides): a doubled string in any other Python literal or an
f-string, a concatenation, a plural, text mixed with ``{{ variables }}``, and a split whose halves
disagree on placeholders. Wrap such a string in ``_()`` (keeping it doubled) and re-run the tool, or
rewrite it by hand.
"""

from __future__ import annotations

import ast
import os
import re
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path

from backend.ops.i18n.doubled import placeholders_agree, split_doubled

# Function name -> the positions of its message arguments.
GETTEXT = {
    "_": (0,),
    "gettext": (0,),
    "gettext_lazy": (0,),
    "gettext_noop": (0,),
    "pgettext": (1,),
    "pgettext_lazy": (1,),
}
CONTEXT_ARG = {"pgettext": 0, "pgettext_lazy": 0}


@dataclass
class Found:
    """What one file holds: the pairs rewritten and the doubled strings left for a person."""

    pairs: dict[tuple[str | None, str], str] = field(default_factory=dict)
    manual: list[str] = field(default_factory=list)  # "path:line: why: text"
    text: str = ""
    changed: bool = False


def _py_literal(text: str) -> str:
    body = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{body}"'


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = getattr(node, "body", [])
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def python(path: str, source: str, *, rewrite: bool = True) -> Found:
    found = Found(text=source)
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        found.manual.append(f"{path}:{exc.lineno}: not Python: {exc.msg}")
        return found
    skip = _docstrings(tree)
    edits: list[tuple[int, int, int, int, str]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or _name(node.func) not in GETTEXT:
            continue
        name = _name(node.func)
        context = None
        if name in CONTEXT_ARG and len(node.args) > CONTEXT_ARG[name]:
            arg = node.args[CONTEXT_ARG[name]]
            context = arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else None
        for index in GETTEXT[name]:
            if index >= len(node.args):
                continue
            arg = node.args[index]
            if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                continue
            split = split_doubled(arg.value)
            skip.add(id(arg))
            if split is None:
                continue
            zh, en = split
            if not placeholders_agree(zh, en):
                found.manual.append(f"{path}:{arg.lineno}: placeholders differ: {arg.value!r}")
                continue
            found.pairs[(context, zh)] = en
            edits.append((arg.lineno, arg.col_offset, arg.end_lineno, arg.end_col_offset, _py_literal(zh)))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            if split_doubled(node.value):
                found.manual.append(f"{path}:{node.lineno}: not marked for translation: {node.value!r}")
    if rewrite and edits:
        found.text = _apply(source, edits)
        found.changed = True
    return found


def _apply(source: str, edits: list[tuple[int, int, int, int, str]]) -> str:
    """Replace spans given as (line, byte column) pairs, as ast reports them."""
    lines = [line.encode() for line in source.splitlines(keepends=True)]
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    data = b"".join(lines)
    for line, col, end_line, end_col, text in sorted(edits, reverse=True):
        begin, end = starts[line - 1] + col, starts[end_line - 1] + end_col
        data = data[:begin] + text.encode() + data[end:]
    return data.decode()


# --- templates ---------------------------------------------------------------------------------
_TRANSLATE = re.compile(r"""\{%\s*(?:translate|trans)\s+(?P<q>["'])(?P<text>.*?)(?P=q)(?P<rest>.*?)%\}""", re.S)
_CONTEXT = re.compile(r"""\bcontext\s+(?P<q>["'])(?P<ctx>.*?)(?P=q)""")
_BLOCK = re.compile(
    r"\{%\s*(?P<tag>blocktranslate|blocktrans)\b(?P<args>[^%]*)%\}(?P<body>.*?)"
    r"\{%\s*(?:endblocktranslate|endblocktrans)\s*%\}",
    re.S,
)
_UNDERSCORE = re.compile(r"""_\((?P<q>["'])(?P<text>.*?)(?P=q)\)""")
_TAG_OR_TEXT = re.compile(r"(\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}|<!--.*?-->|<[^>]*>)", re.S)
_ATTRIBUTE = re.compile(r"""(?P<name>\b(?:placeholder|title|aria-label|value|alt))=(?P<q>["'])(?P<text>[^"'{}<>]*?)(?P=q)""")
_RAW = re.compile(r"<(script|style)\b.*?</\1>", re.S)


def _block_msgid(body: str, trimmed: bool) -> str:
    text = body.replace("%", "%%")
    text = re.sub(r"\{\{\s*(\w+)\s*\}\}", r"%(\1)s", text)
    if trimmed:
        text = " ".join(part.strip() for part in text.strip().splitlines() if part.strip())
    return text


def template(path: str, source: str, *, rewrite: bool = True) -> Found:
    found = Found(text=source)
    line_of = lambda pos: source.count("\n", 0, pos) + 1  # noqa: E731

    def translate(match: re.Match) -> str:
        split = split_doubled(match["text"])
        if not split:
            return match[0]
        zh, en = split
        ctx = _CONTEXT.search(match["rest"])
        found.pairs[(ctx["ctx"] if ctx else None, zh)] = en
        q = match["q"]
        return match[0].replace(f"{q}{match['text']}{q}", f"{q}{zh}{q}", 1)

    def underscore(match: re.Match) -> str:
        split = split_doubled(match["text"])
        if not split:
            return match[0]
        zh, en = split
        found.pairs[(None, zh)] = en
        return f"_({match['q']}{zh}{match['q']})"

    def block(match: re.Match) -> str:
        split = split_doubled(match["body"])
        if not split:
            return match[0]
        zh, en = split
        if "{% plural" in match["body"] or not placeholders_agree(zh, en):
            found.manual.append(f"{path}:{line_of(match.start())}: blocktranslate: {match['body']!r}")
            return match[0]
        ctx = _CONTEXT.search(match["args"])
        trimmed = "trimmed" in match["args"].split()
        found.pairs[(ctx["ctx"] if ctx else None, _block_msgid(zh, trimmed))] = _block_msgid(en, trimmed)
        return match[0].replace(match["body"], zh, 1)

    text = _TRANSLATE.sub(translate, source)
    text = _BLOCK.sub(block, text)
    text = _UNDERSCORE.sub(underscore, text)
    text = _plain_text(path, text, found)
    if text != source:
        found.changed = True
        if rewrite and "{% load i18n" not in text and not re.search(r"\{%\s*load\s[^%]*\bi18n\b", text):
            text = _add_load(text)
    if rewrite:
        found.text = text
    return found


def _add_load(text: str) -> str:
    extends = re.match(r"\s*\{%\s*extends\s[^%]*%\}\n?", text)
    if extends:
        return text[: extends.end()] + ("" if text[extends.end() - 1] == "\n" else "\n") + "{% load i18n %}\n" + text[extends.end() :]
    return "{% load i18n %}\n" + text


def _plain_text(path: str, text: str, found: Found) -> str:
    """Wrap doubled plain text (between tags, or in a label attribute) in {% translate %}."""
    raw = [m.span() for m in _RAW.finditer(text)]
    out, pos, previous = [], 0, ""
    for match in _TAG_OR_TEXT.finditer(text + "<>"):
        chunk = text[pos : match.start()]
        piece = match[0] if match.end() <= len(text) else ""
        if split_doubled(chunk.strip()) and "{{" in (previous[:2], piece[:2]):
            found.manual.append(f"{path}:{text.count(chr(10), 0, pos) + 1}: text with variables: {chunk.strip()!r}")
            out.append(chunk)
        else:
            out.append(_wrap_text(path, text, pos, chunk, found, raw))
        previous = piece
        if piece.startswith("<") and not piece.startswith("<!--"):
            piece = _ATTRIBUTE.sub(lambda m: _wrap_attribute(m, found), piece)
        out.append(piece)
        pos = match.end()
    return "".join(out)


def _wrap_text(path: str, text: str, pos: int, chunk: str, found: Found, raw: list[tuple[int, int]]) -> str:
    split = split_doubled(chunk.strip())
    if not split or any(a <= pos < b for a, b in raw):
        if split:
            found.manual.append(f"{path}:{text.count(chr(10), 0, pos) + 1}: in a script: {chunk.strip()!r}")
        return chunk
    zh, en = split
    if '"' in zh:
        found.manual.append(f"{path}:{text.count(chr(10), 0, pos) + 1}: quote in text: {chunk.strip()!r}")
        return chunk
    found.pairs[(None, zh)] = en
    lead = chunk[: len(chunk) - len(chunk.lstrip())]
    tail = chunk[len(chunk.rstrip()) :]
    return f'{lead}{{% translate "{zh}" %}}{tail}'


def _wrap_attribute(match: re.Match, found: Found) -> str:
    split = split_doubled(match["text"])
    if not split or '"' in split[0]:
        return match[0]
    zh, en = split
    found.pairs[(None, zh)] = en
    return f"""{match['name']}="{{% translate '{zh}' %}}\""""


def scan(path: str, source: str, *, rewrite: bool = True) -> Found:
    if path.endswith(".py"):
        return python(path, source, rewrite=rewrite)
    return template(path, source, rewrite=rewrite)


def files(root: Path, ignored: list[str]) -> list[Path]:
    """The Python files and templates of the tree, as makemessages walks them."""

    def skip(relative: str) -> bool:
        return any(fnmatchcase(relative, p) or fnmatchcase(os.path.basename(relative), p) for p in ignored)

    found = []
    for directory, dirnames, filenames in os.walk(root):
        here = os.path.relpath(directory, root)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and not skip(os.path.normpath(os.path.join(here, d))))
        for name in sorted(filenames):
            relative = os.path.normpath(os.path.join(here, name))
            if os.path.splitext(name)[1] in (".py", ".html", ".txt") and not skip(relative):
                found.append(Path(root) / relative)
    return found
