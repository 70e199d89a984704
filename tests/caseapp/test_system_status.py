"""The system status page: agency admins see whether the database and a worker answer."""

import pytest


@pytest.mark.django_db
def test_agency_admin_sees_database_and_worker_ok_in_the_embedded_default(client_for, agency_admin_a):
    response = client_for(agency_admin_a).get("/system/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Reachable" in page
    assert "A worker answered in the web process (eager mode)" in page
    assert "Not answering" not in page


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["caseworker_a", "supervisor_a", "agency_staff_a", "no_role_user"])
def test_other_roles_are_not_allowed(client_for, persona, request):
    assert client_for(request.getfixturevalue(persona)).get("/system/").status_code == 403


@pytest.mark.django_db
def test_a_worker_that_does_not_answer_is_reported(client_for, agency_admin_a, monkeypatch):
    from caseapp.services import health

    # Stand in for the queue only; the page's own logic is what is under test here.
    monkeypatch.setattr(
        health, "worker_status",
        lambda timeout: {"ok": False, "detail": "No Celery worker answered within 3 s.", "heartbeat": None},
    )
    page = client_for(agency_admin_a).get("/system/").content.decode()
    assert "Not answering" in page
    assert "No Celery worker answered within 3 s." in page


def test_anonymous_is_sent_to_log_in(client):
    response = client.get("/system/")
    assert response.status_code == 302
    assert response.url.startswith("/login/")
