"""Read an HTML form the way a browser submits it (for the load benchmark's simulated officers).

:func:`form_fields` returns the named controls of the first ``<form>`` whose
``action`` (or ``id``) contains a fragment: text, hidden, number, date and
e-mail inputs with their value, checked checkboxes and radios, each select's
selected option (else its first), each textarea's text.  Submit buttons are
left out: the caller adds the one it "clicks".  Only the standard library.
"""
from __future__ import annotations

from html.parser import HTMLParser

_SKIPPED_INPUTS = {"submit", "button", "reset", "image", "file"}


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form = None
        self._select = None  # [name, first value, selected value]
        self._option = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = {"action": a.get("action", ""), "id": a.get("id", ""), "fields": []}
            self.forms.append(self._form)
        if self._form is None:
            return
        fields = self._form["fields"]
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            if kind in _SKIPPED_INPUTS:
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            fields.append((a["name"], a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and a.get("name"):
            self._select = [a["name"], None, None]
        elif tag == "option" and self._select is not None:
            self._option = a.get("value")
            if self._select[1] is None:
                self._select[1] = self._option
            if "selected" in a:
                self._select[2] = self._option
        elif tag == "textarea" and a.get("name"):
            self._textarea = [a["name"], ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if self._form is None:
            return
        if tag == "select" and self._select is not None:
            name, first, chosen = self._select
            value = chosen if chosen is not None else first
            if value is not None:
                self._form["fields"].append((name, value))
            self._select = None
        elif tag == "option":
            self._option = None
        elif tag == "textarea" and self._textarea is not None:
            name, text = self._textarea
            self._form["fields"].append((name, text[1:] if text.startswith("\n") else text))
            self._textarea = None
        elif tag == "form":
            self._form = None


def form_fields(html: str, fragment: str = "") -> list[tuple[str, str]]:
    """The (name, value) pairs the first form matching ``fragment`` would submit.

    :raise LookupError: when no form matches (the page is not the one expected).
    """
    parser = _Forms()
    parser.feed(html)
    for form in parser.forms:
        if fragment in form["action"] or fragment == form["id"]:
            return list(form["fields"])
    raise LookupError(f"no form matching {fragment!r}")


def csrf_token(html: str) -> str:
    """The CSRF token of the first form that carries one."""
    parser = _Forms()
    parser.feed(html)
    for form in parser.forms:
        for name, value in form["fields"]:
            if name == "csrf_token":
                return value
    raise LookupError("no csrf_token on the page")
