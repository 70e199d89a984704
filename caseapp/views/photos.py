"""Photo upload and the only way a photo leaves the server: a scoped, audited view."""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from .. import access
from ..audit import client_ip
from ..forms.base import save_through_service
from ..forms.photos import PhotoForm
from ..models import YouthPhoto
from ..services import photos as photo_services


def photo_upload(request, youth_id):
    youth = access.get_youth_or_404(request.user, youth_id, for_edit=True)
    form = PhotoForm(request.POST or None, request.FILES or None)
    if save_through_service(request, form, photo_services.add_photo, youth_id=youth.pk) is not None:
        messages.success(request, "Photo added.")
        return redirect("youth_detail", youth_id=youth.pk)
    return render(request, "caseapp/photo_form.html", {"form": form, "youth": youth})


@never_cache
def photo_file(request, youth_id, photo_id):
    youth = access.get_youth_or_404(request.user, youth_id)
    photo = access.get_in_scope_or_404(YouthPhoto.objects.filter(youth=youth), photo_id)
    try:
        handle = photo.image.open("rb")
    except FileNotFoundError:
        raise Http404("The photo file is missing.") from None
    photo_services.record_photo_view(actor=request.user, photo=photo, ip=client_ip(request))
    response = FileResponse(handle, content_type=photo.content_type)
    # The name carries no youth name and no free text that could break the header.
    extension = photo.image.name.rsplit(".", 1)[-1]
    response["Content-Disposition"] = f'inline; filename="photo-{photo.pk}.{extension}"'
    response["Cache-Control"] = "private, no-store"
    return response
