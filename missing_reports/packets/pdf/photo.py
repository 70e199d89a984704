"""The youth's photo in a packet: the stored JPEG embedded as it is when it can be, else decoded once
and downscaled; a box saying "Photo not available" when there is none or its file cannot be read."""

import functools
import hashlib
import io
from contextlib import contextmanager
from contextvars import ContextVar

from reportlab.lib.units import inch
from reportlab.platypus import Flowable

from .layout import LABEL_BG, RULE, styles

PHOTO_BOX = (1.75 * inch, 2.2 * inch)
PHOTO_DPI = 220  # the photo is embedded downscaled to this resolution in PHOTO_BOX: sharp in print


class _PhotoPlaceholder(Flowable):
    def wrap(self, avail_width, avail_height):
        return PHOTO_BOX

    def draw(self):
        style = styles()["photo_missing"]
        canvas = self.canv
        canvas.setFillColor(LABEL_BG)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.8)
        canvas.rect(0, 0, PHOTO_BOX[0], PHOTO_BOX[1], stroke=1, fill=1)
        canvas.setFillColor(style.textColor)
        canvas.setFont(style.fontName, style.fontSize)
        canvas.drawCentredString(PHOTO_BOX[0] / 2, PHOTO_BOX[1] / 2 - style.fontSize / 3, "Photo not available")


class _JpegSource:
    """A JPEG for canvas.drawImage, embedded as is (no decoding); `str()` is its identity in the PDF."""

    def __init__(self, data, key):
        self.data, self.key = data, key

    def jpeg_fh(self):
        return io.BytesIO(self.data)

    def __str__(self):
        return self.key


class _Photo(Flowable):
    def __init__(self, data, key, width, height):
        super().__init__()
        self.source, self.width, self.height = _JpegSource(data, key), width, height

    def wrap(self, avail_width, avail_height):
        return self.width, self.height

    def draw(self):
        self.canv.drawImage(self.source, 0, 0, self.width, self.height)


@functools.lru_cache(maxsize=256)
def _photo_jpeg(photo_id, name, modified) -> tuple[bytes, int, int]:
    """(JPEG bytes, width, height) of the stored photo `name`, ready to embed in PHOTO_BOX.

    An upright RGB or greyscale JPEG of at most twice PHOTO_DPI in the box (what the photo upload
    stores) is embedded as it is, without decoding it; anything else is decoded once, downscaled to
    PHOTO_DPI and re-encoded. Cached by photo id, file name and modification time, so a photo is read
    once per process however many packets print it. Raises when the file is missing or unreadable.
    """
    from PIL import Image as PILImage
    from PIL import ImageOps

    from caseapp.models import YouthPhoto

    storage = YouthPhoto._meta.get_field("image").storage
    with storage.open(name, "rb") as handle:
        data = handle.read()
    box = (round(PHOTO_BOX[0] / inch * PHOTO_DPI), round(PHOTO_BOX[1] / inch * PHOTO_DPI))
    image = PILImage.open(io.BytesIO(data))  # reads the header only
    upright = image.getexif().get(0x0112, 1) == 1
    if (
        image.format == "JPEG"
        and image.mode in ("RGB", "L")
        and upright
        and (image.width <= 2 * box[0] and image.height <= 2 * box[1])
    ):
        return data, image.width, image.height
    if image.format == "JPEG":
        image.draft("RGB", box)  # decode at a reduced scale: much faster for a large photo
    image = ImageOps.exif_transpose(image).convert("RGB")
    image.thumbnail(box, PILImage.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=88)
    return out.getvalue(), image.width, image.height


# Photo rows the caller has just read (`known_photos`), by id: `photo_flowable` uses them instead of
# reading the row again.
_known_photos: ContextVar[dict | None] = ContextVar("packet_known_photos", default=None)


@contextmanager
def known_photos(photos):
    """While rendering inside this block, `photo_flowable` takes these YouthPhoto rows (None is
    skipped) as they are; any other photo id is read from the database as usual."""
    token = _known_photos.set({photo.pk: photo for photo in photos if photo is not None})
    try:
        yield
    finally:
        _known_photos.reset(token)


def photo_flowable(photo_id):
    """The photo `photo_id` scaled into PHOTO_BOX, or a box saying "Photo not available"."""
    if photo_id is None:
        return _PhotoPlaceholder()
    from caseapp.models import YouthPhoto

    photo = (_known_photos.get() or {}).get(photo_id)
    if photo is None:
        photo = YouthPhoto.objects.filter(pk=photo_id).first()
    if photo is None or not photo.image:
        return _PhotoPlaceholder()
    try:
        storage, name = photo.image.storage, photo.image.name
        try:
            modified = storage.get_modified_time(name).timestamp()
        except NotImplementedError:  # a storage without modification times: the (unique) name alone
            modified = None
        data, width, height = _photo_jpeg(photo.pk, name, modified)
    except Exception:  # missing or unreadable file: the packet is still needed
        return _PhotoPlaceholder()
    scale = min(PHOTO_BOX[0] / width, PHOTO_BOX[1] / height)
    key = f"packet-photo-{photo.pk}-{hashlib.sha1(data).hexdigest()}"  # noqa: S324 - a name, not security
    return _Photo(data, key, width * scale, height * scale)
