from django.shortcuts import render

from .. import selectors


def dashboard(request):
    return render(request, "caseapp/dashboard.html", selectors.dashboard_summary(request.user))
