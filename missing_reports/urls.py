from django.urls import path

from .views import (
    board,
    disclosures,
    notifications,
    packets,
    refusals,
    response_plans,
    responses,
    returns,
    runs,
    what_helps,
)

urlpatterns = [
    path("missing/", board.missing_now, name="missing_now"),
    path("missing/report/", runs.report_missing_pick_youth, name="report_missing"),
    path("youth/<int:youth_id>/missing/new/", runs.log_run, name="log_run"),
    path("youth/<int:youth_id>/missing/", runs.youth_episodes, name="youth_episodes"),
    path("episodes/<int:episode_id>/", runs.episode_detail, name="episode_detail"),
    path("episodes/<int:episode_id>/edit/", runs.episode_edit, name="episode_edit"),
    path("episodes/<int:episode_id>/search-efforts/new/", runs.search_effort_create, name="search_effort_create"),
    path("episodes/<int:episode_id>/reviews/new/", runs.review_create, name="review_create"),
    path("notifications/<int:notification_id>/", notifications.record_notification, name="notification_record"),
    path(
        "notifications/<int:notification_id>/updates/new/",
        notifications.notification_update_create,
        name="notification_update_create",
    ),
    path(
        "notifications/<int:notification_id>/refusals/new/", refusals.refusal_create, name="le_refusal_create"
    ),
    path("refusals/<int:refusal_id>/", refusals.refusal_edit, name="le_refusal_edit"),
    path("episodes/<int:episode_id>/return/", returns.log_return, name="log_return"),
    path("episodes/<int:episode_id>/debrief/", returns.debrief_create, name="debrief_create"),
    path("episodes/<int:episode_id>/responses/new/", responses.responses_create, name="return_responses_create"),
    path("return-responses/<int:response_id>/", responses.response_edit, name="return_response_edit"),
    path("episodes/<int:episode_id>/disclosures/new/", disclosures.disclosure_create, name="disclosure_create"),
    path("youth/<int:youth_id>/disclosures/new/", disclosures.youth_disclosure_create, name="youth_disclosure_create"),
    path("disclosures/<int:disclosure_id>/correct/", disclosures.disclosure_correct, name="disclosure_correct"),
    path("disclosures/<int:disclosure_id>/withdraw/", disclosures.disclosure_withdraw, name="disclosure_withdraw"),
    path(
        "disclosure-reports/<int:disclosure_report_id>/record/", disclosures.disclosure_report_record,
        name="disclosure_report_record",
    ),
    path(
        "debriefs/<int:debrief_id>/actions/new/", response_plans.response_action_create,
        name="response_action_create",
    ),
    path("response-actions/<int:action_id>/edit/", response_plans.response_action_edit, name="response_action_edit"),
    path("response-actions/<int:action_id>/done/", response_plans.response_action_done, name="response_action_done"),
    path("youth/<int:youth_id>/what-helps-me/", what_helps.what_helps_me, name="what_helps_me"),
    path("youth/<int:youth_id>/what-helps-me/edit/", what_helps.what_helps_me_edit, name="what_helps_me_edit"),
    path("youth/<int:youth_id>/what-helps-me/print/", what_helps.what_helps_me_print, name="what_helps_me_print"),
    path("episodes/<int:episode_id>/packets/status/", packets.packet_status, name="packet_status"),
    path("packets/<int:packet_id>/download/<str:fmt>/", packets.packet_download, name="packet_download"),
    path("packets/<int:packet_id>/submit/", packets.packet_submit, name="packet_submit"),
]
