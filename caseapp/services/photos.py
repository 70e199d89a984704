"""Photo upload: only real images, within the size limit, re-encoded so no EXIF (GPS) data survives."""

import io
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageOps, UnidentifiedImageError

from .. import access, audit, signals
from ..models import AuditAction, YouthPhoto

# Formats accepted, by what Pillow finds in the bytes (never by the file name).
ACCEPTED_FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"), "WEBP": ("webp", "image/webp")}


def clean_image(uploaded) -> tuple[bytes, str, str]:
    """Return (bytes, extension, content type) of a re-encoded copy without metadata.

    Raises ValidationError with a message a caseworker can act on.
    """
    if uploaded.size > settings.PHOTO_MAX_BYTES:
        limit_mb = settings.PHOTO_MAX_BYTES / (1024 * 1024)
        raise ValidationError(f"The photo is too large. The limit is {limit_mb:g} MB.")
    try:
        uploaded.seek(0)
        with Image.open(uploaded) as probe:
            fmt = probe.format
            probe.verify()
        uploaded.seek(0)
        image = Image.open(uploaded)
        if image.width * image.height > settings.PHOTO_MAX_PIXELS:
            raise ValidationError("The photo has too many pixels. Use a smaller image.")
        image.load()
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError("This file is not a photo we can read. Upload a JPEG, PNG or WebP image.") from None
    if fmt not in ACCEPTED_FORMATS:
        raise ValidationError("Upload a JPEG, PNG or WebP image.")
    ext, content_type = ACCEPTED_FORMATS[fmt]
    # Turn the pixels the way the camera meant, then write a fresh file: no EXIF, GPS or comments.
    image = ImageOps.exif_transpose(image)
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    if fmt == "JPEG" and clean.mode not in ("RGB", "L"):
        clean = clean.convert("RGB")
    out = io.BytesIO()
    clean.save(out, format=fmt, **({"quality": 90} if fmt in ("JPEG", "WEBP") else {}))
    return out.getvalue(), ext, content_type


@transaction.atomic
def add_photo(*, actor, youth_id, image, taken_on, caption="", ip=None) -> YouthPhoto:
    youth = access.get_youth_or_404(actor, youth_id, for_edit=True)
    if taken_on > timezone.localdate():
        raise ValidationError({"taken_on": "The date taken cannot be in the future."})
    if taken_on < youth.date_of_birth:
        raise ValidationError({"taken_on": "The date taken cannot be before the youth's date of birth."})
    try:
        data, ext, content_type = clean_image(image)
    except ValidationError as exc:
        raise ValidationError({"image": exc.messages}) from None
    photo = YouthPhoto(
        youth=youth, taken_on=taken_on, caption=caption, content_type=content_type, uploaded_by=actor
    )
    file_name = f"{uuid.uuid4().hex}.{ext}"
    # The content needs a name: ImageField reads width/height from it, and a nameless file has none.
    photo.image.save(file_name, ContentFile(data, name=file_name), save=False)
    try:
        photo.save()
    except Exception:
        # The row did not save: do not leave the file behind.
        photo.image.delete(save=False)
        raise
    audit.record(actor, AuditAction.CREATE, photo, youth=youth, ip=ip, detail={"taken_on": str(taken_on)})
    signals.youth_record_changed_on_commit(sender=YouthPhoto, youth_id=youth.pk, actor=actor, changed=["photo"])
    return photo


def record_photo_view(*, actor, photo, ip=None):
    audit.record(actor, AuditAction.VIEW, photo, youth=photo.youth, ip=ip)
