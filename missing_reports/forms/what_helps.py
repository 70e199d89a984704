"""The form of a youth's "What helps me" (docs/duties.md#what-helps-me): three boxes in the youth's own words.
missing_reports.services.what_helps checks the rules."""

from django import forms

from caseapp.conflicts import ConflictMergeMixin
from caseapp.forms.base import ServiceValidatedModelForm

from ..models import WhatHelpsMe
from ..services.what_helps import NO_VERSION
from .base import narrative


class WhatHelpsForm(ConflictMergeMixin, ServiceValidatedModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = WhatHelpsMe
        fields = list(WhatHelpsMe.FIELDS)
        widgets = {name: narrative(4) for name in WhatHelpsMe.FIELDS}
        labels = {
            "when_leaving": "What helps when I feel like leaving",
            "trusted_people": "Who I trust",
            "what_i_need": "What I need",
        }
        help_texts = {
            "when_leaving": "In the youth's own words: “Let me go for a walk and text me after 20 minutes.”",
            "trusted_people": "People the youth names: a first name and who they are is enough.",
            "what_i_need": "What a new caregiver should know to help, as the youth says it.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and self.initial.get("version") is None:
            self.initial["version"] = self.instance.version if self.instance.pk else NO_VERSION

    def service_fields(self):
        data = dict(self.cleaned_data)
        return data.pop("version"), data
