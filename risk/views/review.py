"""Risk pages (review)."""

urlpatterns = []
