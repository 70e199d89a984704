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


class _FormParser(HTMLParser):
    """Collects the successful controls of each <form> of a page, as a browser would submit them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []  # each a list of (name, value)
        self._form = None
        self._textarea = None  # [name, text]
        self._select = None  # {"name", "multiple", "options": [(value, selected)]}
        self._option = None  # [value or None, selected, text]

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = []
            self.forms.append(self._form)
        if self._form is None or "disabled" in a:
            return
        if tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form.append((a["name"], a.get("value", "on")))
            elif kind not in ("file", "submit", "button", "reset", "image"):
                self._form.append((a["name"], a.get("value") or ""))
        elif tag == "textarea" and a.get("name"):
            self._textarea = [a["name"], ""]
        elif tag == "select" and a.get("name"):
            self._select = {"name": a["name"], "multiple": "multiple" in a, "options": []}
        elif tag == "option" and self._select is not None:
            self._option = [a.get("value"), "selected" in a, ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data
        if self._option is not None:
            self._option[2] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            name, text = self._textarea
            # Browsers drop the newline that follows <textarea>, and submit CRLF line ends.
            text = text[1:] if text.startswith("\n") else text
            self._form.append((name, text.replace("\r\n", "\n").replace("\n", "\r\n")))
            self._textarea = None
        elif tag == "option" and self._option is not None:
            value, selected, text = self._option
            self._select["options"].append((text.strip() if value is None else value, selected))
            self._option = None
        elif tag == "select" and self._select is not None:
            options = self._select["options"]
            chosen = [v for v, selected in options if selected]
            if not chosen and options and not self._select["multiple"]:
                chosen = [options[0][0]]
            self._form.extend((self._select["name"], v) for v in chosen)
            self._select = None
        elif tag == "form":
            self._form = None


def rendered_form(response, marker="edit_base", **typed):
    """What a browser posts from the page's form that holds a control named `marker`: every control as
    rendered (values, checked boxes and radios, selected options), then `typed` as the user's changes.
    A typed value of None unticks or empties the control."""
    parser = _FormParser()
    parser.feed(response.content.decode())
    form = next(f for f in parser.forms if any(name == marker for name, _ in f))
    data = {}
    for name, value in form:
        data.setdefault(name, []).append(value)
    for name, value in typed.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]
    data.pop("csrfmiddlewaretoken", None)
    return data


def posted_form(html, containing, **typed):
    """What a browser posts from the form of page `html` that has a control named `containing`, with the
    values of `typed` typed over those it shows (hidden inputs included, as a browser keeps them)."""
    parser = _FormParser()
    parser.feed(html)
    for controls in parser.forms:
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


def sign_in(client, user):
    """Sign `client` in as `user` in the state a real sign-in leaves: for an account that needs the second factor
    (caseapp/two_factor.py), verified by its authenticator app (one is made if it has none), as
    django_otp.login records it; for anyone else, signed in with the password alone."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from caseapp import two_factor
    from caseapp.models import AuditAction, AuditEvent

    client.force_login(user)
    # The persona's sign-in is the test's setup, not what it tests: its audit row (caseapp/signin_audit.py) is
    # taken away again, so that the checks that a refused request "writes nothing" count only what the test did.
    # Sign-in audit rows are tested through the sign-in page (tests/caseapp/test_sign_in_*.py).
    AuditEvent.objects.filter(
        pk=AuditEvent.objects.filter(action=AuditAction.SIGN_IN, object_id=str(user.pk)).order_by("-id")
        .values("pk")[:1]
    ).delete()
    if two_factor.needs_second_step(user):
        device = two_factor.authenticator_of(user) or TOTPDevice.objects.create(
            user=user, name="Test authenticator", confirmed=True
        )
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def totp_code(device, at=None, steps_ahead=0) -> str:
    """The code an authenticator app holding `device`'s secret shows at `at` (a Unix time; default now), or
    `steps_ahead` 30-second steps later (a code is accepted once, so a second sign-in within a step uses the next)."""
    import time

    from django_otp.oath import TOTP

    clock = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    clock.time = (time.time() if at is None else at) + steps_ahead * device.step
    return f"{clock.token():0{device.digits}d}"


def signin_request():
    """What `Client.login(request=..., ...)` needs: the lockout backend (django-axes) checks every sign-in
    against its request's address, and the test client's login has none of its own."""
    from django.http import HttpRequest

    request = HttpRequest()
    request.META["REMOTE_ADDR"] = "127.0.0.1"
    return request


def visible_text(response) -> str:
    """A page's text as read: tags dropped, entities decoded, whitespace runs made one space."""
    import html
    import re

    body = response.content.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())
