"""Small helpers shared by several test files."""

import io
from html.parser import HTMLParser

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def jpeg_upload(name="photo.jpg", size=(16, 12), colour=(90, 140, 200)):
    """A small real JPEG, made in memory (no photo of anyone), as a browser would upload it."""
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def form_data(form, **overrides):
    """What a browser would post for `form` as it was rendered, with `overrides` typed in."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            continue
        if value is None:
            value = ""
        elif isinstance(value, (list, tuple)):
            value = [str(v) for v in value]
        data[name] = value
    data.update(overrides)
    return data


class FrozenClock:
    """Django's "now" held at one instant, moved by `set` (for times of day that matter, e.g. a DST night).

    Every app module asks `django.utils.timezone.now()`, so setting that attribute is enough; nothing of
    ours is replaced.
    """

    def __init__(self, monkeypatch, moment):
        from django.utils import timezone

        self.moment = moment
        monkeypatch.setattr(timezone, "now", lambda: self.moment)

    def set(self, moment):
        self.moment = moment


class _FormReader(HTMLParser):
    """The controls of each <form> of a page, as a browser would post them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self._form, self._select, self._textarea = [], None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = []
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and attrs.get("name") and "disabled" not in attrs:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind not in ("submit", "button", "file", "image", "reset"):
                self._form.append((attrs["name"], attrs.get("value", "on" if kind in ("checkbox", "radio") else "")))
        elif tag == "select" and attrs.get("name"):
            self._select = {"name": attrs["name"], "multiple": "multiple" in attrs, "first": None, "chosen": []}
        elif tag == "option" and self._select is not None:
            value = attrs.get("value", "")
            if self._select["first"] is None:
                self._select["first"] = value
            if "selected" in attrs:
                self._select["chosen"].append(value)
        elif tag == "textarea" and attrs.get("name"):
            self._textarea = [attrs["name"], ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None:
            chosen = self._select["chosen"] or ([] if self._select["multiple"] else [self._select["first"] or ""])
            self._form.extend((self._select["name"], value) for value in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self._form.append((self._textarea[0], self._textarea[1].removeprefix("\n")))
            self._textarea = None


def posted_form(html, containing, **typed):
    """What a browser posts from the form of page `html` that has a control named `containing`, with the
    values of `typed` typed over those it shows (hidden inputs included, as a browser keeps them)."""
    reader = _FormReader()
    reader.feed(html)
    for controls in reader.forms:
        if any(name == containing for name, _ in controls):
            data = {}
            for name, value in controls:
                if name in data:
                    data[name] = [*data[name], value] if isinstance(data[name], list) else [data[name], value]
                else:
                    data[name] = value
            data.update(typed)
            return data
    raise AssertionError(f"no form with a control named {containing!r}")
