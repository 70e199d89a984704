from django.contrib.auth import views as auth_views
from django.urls import path

from .views import alerts, dashboard, on_call, photos, placements, sign_in, staff, system, work, youth

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("session/status/", sign_in.session_status, name="session_status"),
    path("session/renew/", sign_in.session_renew, name="session_renew"),
    path("youth/", youth.caseload, name="caseload"),
    path("youth/new/", youth.youth_create, name="youth_create"),
    path("youth/<int:youth_id>/", youth.youth_detail, name="youth_detail"),
    path("youth/<int:youth_id>/edit/", youth.youth_edit, name="youth_edit"),
    path("youth/<int:youth_id>/placements/new/", placements.placement_create, name="placement_create"),
    path(
        "youth/<int:youth_id>/placements/<int:placement_id>/edit/",
        placements.placement_edit,
        name="placement_edit",
    ),
    path(
        "youth/<int:youth_id>/placements/<int:placement_id>/end/",
        placements.placement_end,
        name="placement_end",
    ),
    path("youth/<int:youth_id>/photos/new/", photos.photo_upload, name="photo_upload"),
    path("youth/<int:youth_id>/photos/<int:photo_id>/", photos.photo_file, name="photo_file"),
    path("staff/", staff.staff_list, name="staff_list"),
    path("staff/new/", staff.staff_create, name="staff_create"),
    path("staff/<int:staff_id>/", staff.staff_edit, name="staff_edit"),
    path("staff/<int:staff_id>/password/", staff.staff_password, name="staff_password"),
    path("staff/<int:staff_id>/unlock/", sign_in.staff_unlock, name="staff_unlock"),
    path("staff/sign-ins/", sign_in.sign_in_activity, name="sign_in_activity"),
    path("teams/new/", staff.team_form, name="team_create"),
    path("teams/<int:team_id>/", staff.team_form, name="team_edit"),
    path("system/", system.system_status, name="system_status"),
    path("alerts/", alerts.alert_list, name="alert_list"),
    path("alerts/<int:recipient_id>/acknowledge/", alerts.alert_acknowledge, name="alert_acknowledge"),
    path("alerts/ack/<str:token>/", alerts.alert_ack_link, name="alert_ack_link"),
    path("on-call/", on_call.on_call_page, name="on_call"),
    path("on-call/shifts/<int:shift_id>/remove/", on_call.shift_remove, name="on_call_shift_remove"),
    path("on-call/swaps/<int:swap_id>/remove/", on_call.swap_remove, name="on_call_swap_remove"),
    path("work/", work.my_work, name="my_work"),
    path("work/team/", work.team_work, name="team_work"),
]
