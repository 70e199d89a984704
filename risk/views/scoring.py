"""Risk pages (scoring)."""

urlpatterns = []
