"""Small helpers shared by several test files."""

import io

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
