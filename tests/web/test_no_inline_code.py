"""The pages' Content-Security-Policy allows no inline script or style, so the templates must
have none: a script element is either a file from /static or a JSON data block, and nothing
carries a style attribute, an event handler attribute or a javascript: address."""

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "web" / "templates"
SCRIPT = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
FORBIDDEN = {
    "a <style> element": re.compile(r"<style\b", re.IGNORECASE),
    "a style attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "an event handler attribute": re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),
    "a javascript: address": re.compile(r"javascript:", re.IGNORECASE),
}


def inline_code(html: str) -> list[str]:
    found = [what for what, pattern in FORBIDDEN.items() if pattern.search(html)]
    for attributes in SCRIPT.findall(html):
        if "src=" not in attributes and 'type="application/json"' not in attributes:
            found.append(f"an inline script <script{attributes}>")
    return found


def test_no_template_holds_inline_script_or_style():
    templates = sorted(TEMPLATES.rglob("*.html"))
    assert len(templates) > 20
    assert {
        str(t.relative_to(TEMPLATES)): inline_code(t.read_text())
        for t in templates
        if inline_code(t.read_text())
    } == {}


@pytest.mark.parametrize(
    "html",
    [
        "<script>alert(1)</script>",
        '<script type="module">import "/x"</script>',
        "<style>p{}</style>",
        '<p style="color:red">',
        '<button onclick="go()">',
        '<a href="javascript:go()">',
    ],
)
def test_the_check_finds_each_kind_of_inline_code(html):
    assert inline_code(html)


def test_the_check_lets_files_and_data_blocks_through():
    assert (
        inline_code(
            '<script src="/static/app.js" defer></script><script type="application/json" id="w">{}</script>'
        )
        == []
    )
