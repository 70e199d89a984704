"""Photo files left behind by rolled-back uploads are removed; photos in use never are."""

import io
import os
import time

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone
from PIL import Image

from caseapp.services.photos import add_photo

pytestmark = pytest.mark.django_db


def _jpeg():
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 120, 90)).save(buffer, format="JPEG")
    return SimpleUploadedFile("p.jpg", buffer.getvalue(), content_type="image/jpeg")


def _age(name, hours):
    path = default_storage.path(name)
    old = time.time() - hours * 3600
    os.utime(path, (old, old))


def test_orphans_go_and_photos_in_use_stay(caseworker_a, youth_a1, capsys):
    kept = add_photo(actor=caseworker_a, youth_id=youth_a1.pk, image=_jpeg(), taken_on=timezone.localdate())
    orphan = default_storage.save(f"photos/x/{youth_a1.pk}/left-behind.jpg", ContentFile(b"jpeg bytes"))
    fresh = default_storage.save(f"photos/x/{youth_a1.pk}/in-flight.jpg", ContentFile(b"jpeg bytes"))
    _age(kept.image.name, 5)
    _age(orphan, 5)

    call_command("purge_orphan_photos", "--dry-run")
    assert default_storage.exists(orphan)
    assert "would delete photos/x/" in capsys.readouterr().out

    call_command("purge_orphan_photos")
    assert not default_storage.exists(orphan)
    assert default_storage.exists(kept.image.name)  # in use
    assert default_storage.exists(fresh)  # too new: an upload may still be committing


def test_a_too_short_age_is_refused():
    with pytest.raises(CommandError, match="at least 5"):
        call_command("purge_orphan_photos", "--older-than-minutes", "1")
