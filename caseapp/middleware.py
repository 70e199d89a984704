from django.utils import timezone

from .local_time import agency_zone


class AgencyTimezoneMiddleware:
    """Show times in the agency's zone; timestamps stay stored in UTC."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        agency = getattr(getattr(request, "user", None), "agency", None)
        if agency is not None:
            timezone.activate(agency_zone(agency))
        else:
            timezone.deactivate()
        return self.get_response(request)
