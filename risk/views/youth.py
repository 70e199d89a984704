"""Risk pages (youth)."""

urlpatterns = []
