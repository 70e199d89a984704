"""The youth photo's form. It checks the shape of input; caseapp.services.photos checks the image."""

from django import forms

from ..models import YouthPhoto
from .base import DATE_WIDGET, ServiceValidatedModelForm


class PhotoForm(ServiceValidatedModelForm):
    image = forms.FileField(
        label="Photo", help_text="A JPEG, PNG or WebP image. Location data is removed on upload.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    class Meta:
        model = YouthPhoto
        fields = ["image", "taken_on", "caption"]
        widgets = {"taken_on": DATE_WIDGET}
