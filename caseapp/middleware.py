import zoneinfo

from django.utils import timezone


class AgencyTimezoneMiddleware:
    """Show times in the agency's zone; timestamps stay stored in UTC."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        agency = getattr(getattr(request, "user", None), "agency", None)
        if agency is not None:
            try:
                timezone.activate(zoneinfo.ZoneInfo(agency.time_zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)
