"""The risk module's pages. Each area keeps its own list so its views stay in one place."""

from .views.corrections import urlpatterns as correction_urls
from .views.referrals import urlpatterns as referral_urls
from .views.review import urlpatterns as review_urls
from .views.scoring import urlpatterns as scoring_urls
from .views.youth import urlpatterns as youth_urls

urlpatterns = youth_urls + review_urls + correction_urls + scoring_urls + referral_urls
