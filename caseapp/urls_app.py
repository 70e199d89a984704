from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import path

from .views import alerts, dashboard, on_call, photos, placements, sign_in, sign_in_activity, staff, system, work, youth

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("login/", sign_in.SignInView.as_view(), name="login"),
    path("login/code/", sign_in.sign_in_code, name="sign_in_code"),
    path("account/sign-in-security/", sign_in.sign_in_security, name="sign_in_security"),
    path("account/password/", sign_in.password_change, name="password_change"),
    path("account/sign-in-security/set-up/", sign_in.two_factor_set_up, name="two_factor_set_up"),
    path("account/sign-in-security/remove/", sign_in.two_factor_remove, name="two_factor_remove"),
    path("account/sign-in-security/recovery-codes/", sign_in.recovery_codes_show, name="recovery_codes_show"),
    path("account/sign-in-security/recovery-codes/new/", sign_in.recovery_codes_new, name="recovery_codes_new"),
    # Open to a half-done sign-in too (caseapp/two_factor.py): "Cancel and log out" at the second step.
    path("logout/", login_not_required(auth_views.LogoutView.as_view()), name="logout"),
    path("session/status/", sign_in_activity.session_status, name="session_status"),
    path("session/renew/", sign_in_activity.session_renew, name="session_renew"),
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
    path("staff/<int:staff_id>/second-factor/reset/", staff.staff_two_factor_reset, name="staff_two_factor_reset"),
    path("staff/<int:staff_id>/unlock/", sign_in_activity.staff_unlock, name="staff_unlock"),
    path("staff/sign-ins/", sign_in_activity.sign_in_activity, name="sign_in_activity"),
    path("teams/new/", staff.team_form, name="team_create"),
    path("teams/<int:team_id>/", staff.team_form, name="team_edit"),
    path("system/", system.system_status, name="system_status"),
    path("health/", system.health_check, name="health_check"),
    path("alerts/", alerts.alert_list, name="alert_list"),
    path("alerts/<int:recipient_id>/acknowledge/", alerts.alert_acknowledge, name="alert_acknowledge"),
    path("alerts/ack/<str:token>/", alerts.alert_ack_link, name="alert_ack_link"),
    path("on-call/", on_call.on_call_page, name="on_call"),
    path("on-call/shifts/<int:shift_id>/remove/", on_call.shift_remove, name="on_call_shift_remove"),
    path("on-call/swaps/<int:swap_id>/remove/", on_call.swap_remove, name="on_call_swap_remove"),
    path("work/", work.my_work, name="my_work"),
    path("work/team/", work.team_work, name="team_work"),
]
