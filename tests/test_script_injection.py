"""No value ever reaches a JavaScript context (issue #11, finding 1).

Templates carry behaviour in data attributes read by ``static/js/pool.js``;
the CSP forbids inline script, so a name saved as ``x'+alert(1)+'`` stays text.
"""
import re
from pathlib import Path

import pytest

from .test_records_web import page, save_check

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
PAYLOAD = "x'+alert(document.domain)+'"

# An event-handler attribute (HTML) or keyword argument (a WTForms field call),
# a <script> without src, a javascript: URL.
JS_CONTEXTS = {
    "inline event handler": re.compile(r"(?<![\w-])on[a-z]+\s*=", re.IGNORECASE),
    "inline <script>": re.compile(r"<script(?![^>]*\bsrc\s*=)[^>]*>", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript\s*:", re.IGNORECASE),
}


def js_contexts(text: str) -> list[str]:
    return [f"{kind}: {m.group(0)!r}" for kind, rx in JS_CONTEXTS.items() for m in rx.finditer(text)]


def test_the_detector_finds_each_kind_and_ignores_data_attributes():
    assert js_contexts('<button onclick="return confirm(\'x\')">') != []
    assert js_contexts('{{ form.submit(class="b", onClick="go()") }}') != []
    assert js_contexts("<script>var a = 1;</script>") != []
    assert js_contexts('<a href="JavaScript:alert(1)">') != []
    assert js_contexts('<button data-confirm="确认？" data_confirm_if="x">') == []
    assert js_contexts('<script src="/static/js/pool.js"></script>') == []
    assert js_contexts('<meta content="x"> aria-controls="nav" form.on') == []


@pytest.mark.parametrize("path", sorted(TEMPLATES.rglob("*.html")),
                         ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_no_template_places_values_in_a_javascript_context(path):
    assert js_contexts(path.read_text(encoding="utf-8")) == []


def test_rendered_pages_carry_no_inline_script(client, auth, world):
    auth.login("admin")
    for url in ("/", "/enterprises/", "/actions/rounds", "/monitor/", "/monitor/outbox",
                "/account/tokens", "/rules/policy", "/rules/industries",
                f"/actions/{world.dy_ent.id}/progress"):
        response = client.get(url, follow_redirects=True)
        assert response.status_code == 200, url
        assert js_contexts(page(response)) == [], url


def test_csp_forbids_inline_script(client):
    csp = client.get("/auth/login").headers["Content-Security-Policy"]
    script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
    assert script_src.split() == ["script-src", "'self'"]
    assert "object-src 'none'" in csp and "frame-ancestors 'none'" in csp


def test_a_check_named_like_script_is_only_text_in_the_confirmation(client, auth, world, use_db):
    application_id = save_check(use_db, world.dy.id, "dy", name=PAYLOAD)
    auth.login("dy")
    html = page(client.get(f"/records/from-check/{application_id}"))
    button = re.search(r"<button[^>]*data-confirm=\"确认将[^>]*>", html).group(0)
    assert "onclick" not in button
    assert "x&#39;+alert(document.domain)+&#39;" in button
    assert PAYLOAD not in html  # the quote never appears unescaped


def test_the_static_script_is_served(client):
    response = client.get("/static/js/pool.js")
    assert response.status_code == 200
    assert "data-confirm" in response.get_data(as_text=True)
    response.close()
