"""Youth photos: only real images, location data stripped, shown only through the scoped view."""

import datetime
import html
import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from caseapp.models import AuditAction, AuditEvent, YouthPhoto

GPS_IFD = 0x8825
EXIF_IFD = 0x8769


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


def jpeg_with_gps() -> bytes:
    """A small synthetic JPEG whose EXIF says where it was taken (and with what camera)."""
    image = Image.new("RGB", (64, 48), (180, 40, 40))
    exif = image.getexif()
    exif[0x010F] = "Test Camera Co"  # Make
    exif[0x0110] = "Model 1"  # Model
    exif[GPS_IFD] = {1: "N", 2: (39.0, 2.0, 30.0), 3: "W", 4: (95.0, 40.0, 12.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    data = out.getvalue()
    # The source really carries GPS data, or the test below proves nothing.
    with Image.open(io.BytesIO(data)) as check:
        assert check.getexif().get_ifd(GPS_IFD)[2] == (39.0, 2.0, 30.0)
    return data


def image_bytes(fmt: str, size=(32, 32)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (20, 120, 200)).save(out, format=fmt)
    return out.getvalue()


def upload(client, youth, data: bytes, *, name="photo.jpg", content_type="image/jpeg", taken_on=None, caption=""):
    return client.post(
        reverse("photo_upload", args=[youth.pk]),
        {
            "image": SimpleUploadedFile(name, data, content_type=content_type),
            "taken_on": (taken_on or days_ago(5)).isoformat(),
            "caption": caption,
        },
    )


def files_under(root):
    return [p for p in root.rglob("*") if p.is_file()]


def distinctive_names(youth):
    """Names no file path or header could contain by chance (a random "Li" is inside "inline")."""
    youth.legal_first_name, youth.legal_last_name = "Zephyrine", "Quillfeather"
    youth.save()
    return (youth.legal_first_name, youth.legal_last_name)


def test_jpeg_upload_strips_gps_and_becomes_the_current_photo(
    client_for, caseworker_a, youth_a1, _private_media_in_tmp
):
    client = client_for(caseworker_a)
    names = distinctive_names(youth_a1)

    response = upload(client, youth_a1, jpeg_with_gps(), caption="School photo")

    assert response.status_code == 302
    assert response["Location"] == reverse("youth_detail", args=[youth_a1.pk])
    photo = YouthPhoto.objects.get(youth=youth_a1)
    assert photo.content_type == "image/jpeg"
    assert (photo.width, photo.height) == (64, 48)
    assert photo.uploaded_by == caseworker_a
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type="youthphoto", object_id=str(photo.pk), actor=caseworker_a
    ).exists()

    stored = files_under(_private_media_in_tmp)
    assert len(stored) == 1
    with Image.open(stored[0]) as saved:
        assert saved.format == "JPEG"
        exif = saved.getexif()
        assert len(exif) == 0
        assert not exif.get_ifd(GPS_IFD)
        assert "exif" not in saved.info
    raw = stored[0].read_bytes()
    assert b"Exif" not in raw
    assert b"Test Camera Co" not in raw

    # No part of the path names the youth.
    for name in names:
        assert name.lower() not in photo.image.name.lower()

    page = client.get(reverse("youth_detail", args=[youth_a1.pk]))
    text = page_text(page)
    photo_url = reverse("photo_file", args=[youth_a1.pk, photo.pk])
    assert f'<img class="youth-photo" src="{photo_url}"' in text
    assert "School photo" in text


def test_photo_file_view_streams_private_uncached_bytes(client_for, caseworker_a, youth_a1, _private_media_in_tmp):
    client = client_for(caseworker_a)
    names = distinctive_names(youth_a1)
    upload(client, youth_a1, jpeg_with_gps())
    photo = YouthPhoto.objects.get(youth=youth_a1)
    views_before = AuditEvent.objects.filter(action=AuditAction.VIEW, object_type="youthphoto").count()

    response = client.get(reverse("photo_file", args=[youth_a1.pk, photo.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= cache_control
    body = b"".join(response.streaming_content)
    assert body == files_under(_private_media_in_tmp)[0].read_bytes()
    with Image.open(io.BytesIO(body)) as served:
        assert not served.getexif().get_ifd(GPS_IFD)
    disposition = response["Content-Disposition"]
    for name in names:
        assert name.lower() not in disposition.lower()
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, object_type="youthphoto").count() == views_before + 1


def test_the_newest_photo_by_date_taken_is_current(client_for, caseworker_a, youth_a1):
    client = client_for(caseworker_a)
    upload(client, youth_a1, image_bytes("JPEG"), taken_on=days_ago(200), caption="Older")
    upload(client, youth_a1, image_bytes("JPEG"), taken_on=days_ago(3), caption="Newer")
    # Uploaded last but taken earlier: it does not replace the current photo.
    upload(client, youth_a1, image_bytes("JPEG"), taken_on=days_ago(100), caption="Middle")
    newer = YouthPhoto.objects.get(youth=youth_a1, caption="Newer")

    page = client.get(reverse("youth_detail", args=[youth_a1.pk]))

    assert page.context["current_photo"] == newer
    text = page_text(page)
    assert f'<img class="youth-photo" src="{reverse("photo_file", args=[youth_a1.pk, newer.pk])}"' in text
    assert "Earlier photos (2)" in text


def test_a_text_file_named_jpg_is_refused(client_for, caseworker_a, youth_a1, _private_media_in_tmp):
    client = client_for(caseworker_a)

    response = upload(client, youth_a1, b"Meeting notes, not a picture.\n" * 20, name="photo.jpg")

    assert response.status_code == 200
    assert "This file is not a photo we can read." in page_text(response)
    assert YouthPhoto.objects.count() == 0
    assert files_under(_private_media_in_tmp) == []
    assert not AuditEvent.objects.filter(object_type="youthphoto").exists()


def test_a_truncated_jpeg_is_refused(client_for, caseworker_a, youth_a1, _private_media_in_tmp):
    data = image_bytes("JPEG", size=(200, 200))
    response = upload(client_for(caseworker_a), youth_a1, data[: len(data) // 2])
    assert "This file is not a photo we can read." in page_text(response)
    assert YouthPhoto.objects.count() == 0
    assert files_under(_private_media_in_tmp) == []


def test_an_oversized_file_is_refused(client_for, caseworker_a, youth_a1, settings, _private_media_in_tmp):
    settings.PHOTO_MAX_BYTES = 1024
    out = io.BytesIO()
    Image.frombytes("RGB", (64, 64), os.urandom(64 * 64 * 3)).save(out, format="PNG")  # noise: no compression
    data = out.getvalue()
    assert len(data) > 1024

    response = upload(client_for(caseworker_a), youth_a1, data, name="big.png", content_type="image/png")

    assert response.status_code == 200
    assert "The photo is too large." in page_text(response)
    assert YouthPhoto.objects.count() == 0
    assert files_under(_private_media_in_tmp) == []


def test_a_gif_is_refused(client_for, caseworker_a, youth_a1, _private_media_in_tmp):
    response = upload(client_for(caseworker_a), youth_a1, image_bytes("GIF"), name="a.gif", content_type="image/gif")
    assert "Upload a JPEG, PNG or WebP image." in page_text(response)
    assert YouthPhoto.objects.count() == 0
    assert files_under(_private_media_in_tmp) == []


@pytest.mark.parametrize(
    ("fmt", "content_type", "extension"), [("PNG", "image/png", "png"), ("WEBP", "image/webp", "webp")]
)
def test_png_and_webp_are_accepted(client_for, caseworker_a, youth_a1, fmt, content_type, extension):
    client = client_for(caseworker_a)
    # The name and declared type lie; what the bytes are decides.
    response = upload(client, youth_a1, image_bytes(fmt), name="upload.jpg", content_type="image/jpeg")

    assert response.status_code == 302
    photo = YouthPhoto.objects.get(youth=youth_a1)
    assert photo.content_type == content_type
    assert photo.image.name.endswith(f".{extension}")
    served = client.get(reverse("photo_file", args=[youth_a1.pk, photo.pk]))
    assert served["Content-Type"] == content_type
    with Image.open(io.BytesIO(b"".join(served.streaming_content))) as image:
        assert image.format == fmt


def test_taken_on_in_the_future_is_refused(client_for, caseworker_a, youth_a1, _private_media_in_tmp):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    response = upload(client_for(caseworker_a), youth_a1, image_bytes("JPEG"), taken_on=tomorrow)

    assert response.status_code == 200
    assert "The date taken cannot be in the future." in page_text(response)
    assert YouthPhoto.objects.count() == 0
    assert files_under(_private_media_in_tmp) == []


def test_taken_before_birth_is_refused(client_for, caseworker_a, youth_a1):
    before_birth = youth_a1.date_of_birth - datetime.timedelta(days=1)
    response = upload(client_for(caseworker_a), youth_a1, image_bytes("JPEG"), taken_on=before_birth)
    assert "The date taken cannot be before the youth's date of birth." in page_text(response)
    assert YouthPhoto.objects.count() == 0


def test_out_of_scope_users_get_404_for_the_photo(
    client_for, caseworker_a, caseworker_a2, caseworker_b, no_role_user, youth_a1
):
    upload(client_for(caseworker_a), youth_a1, jpeg_with_gps())
    photo = YouthPhoto.objects.get(youth=youth_a1)
    url = reverse("photo_file", args=[youth_a1.pk, photo.pk])
    views_before = AuditEvent.objects.filter(action=AuditAction.VIEW, object_type="youthphoto").count()

    for user in (caseworker_a2, caseworker_b, no_role_user):
        client = client_for(user)
        assert client.get(url).status_code == 404
        response = upload(client, youth_a1, image_bytes("JPEG"))
        assert response.status_code == 404
    assert YouthPhoto.objects.count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, object_type="youthphoto").count() == views_before


def test_photo_of_another_youth_under_this_youths_url_is_404(
    client_for, caseworker_a, caseworker_a2, youth_a1, youth_a2
):
    """Photo ids are checked against the youth in the URL, not only against the caller's scope."""
    upload(client_for(caseworker_a), youth_a1, image_bytes("JPEG"))
    photo = YouthPhoto.objects.get(youth=youth_a1)
    # caseworker_a2 sees youth_a2 but not youth_a1: pairing youth_a2 with youth_a1's photo must not work.
    response = client_for(caseworker_a2).get(reverse("photo_file", args=[youth_a2.pk, photo.pk]))
    assert response.status_code == 404


def test_anonymous_visitor_cannot_fetch_the_photo(client, client_for, caseworker_a, youth_a1):
    upload(client_for(caseworker_a), youth_a1, image_bytes("JPEG"))
    photo = YouthPhoto.objects.get(youth=youth_a1)
    response = client.get(reverse("photo_file", args=[youth_a1.pk, photo.pk]))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_the_photo_file_is_not_reachable_under_media_or_static(
    client_for, caseworker_a, youth_a1, _private_media_in_tmp
):
    client = client_for(caseworker_a)
    upload(client, youth_a1, jpeg_with_gps())
    photo = YouthPhoto.objects.get(youth=youth_a1)
    relative = photo.image.name
    assert (_private_media_in_tmp / relative).is_file()

    for prefix in ("/media/", "/static/", "/private_media/", "/"):
        response = client.get(f"{prefix}{relative}")
        assert response.status_code == 404, prefix


def test_agency_staff_see_the_photo_but_cannot_upload(client_for, caseworker_a, agency_staff_a, youth_a1):
    upload(client_for(caseworker_a), youth_a1, image_bytes("JPEG"))
    photo = YouthPhoto.objects.get(youth=youth_a1)
    client = client_for(agency_staff_a)

    assert client.get(reverse("photo_file", args=[youth_a1.pk, photo.pk])).status_code == 200
    assert client.get(reverse("photo_upload", args=[youth_a1.pk])).status_code == 404
    assert upload(client, youth_a1, image_bytes("JPEG")).status_code == 404
    assert YouthPhoto.objects.count() == 1
