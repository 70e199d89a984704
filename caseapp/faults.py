"""When the database fails a request: a calm page saying nothing was saved, the error in the log, and a connection
that works again for the next request (docs/design.md#faults).

Every save is one transaction (the services are `transaction.atomic`), so a connection that drops half-way
through a save leaves nothing behind: PostgreSQL rolls the transaction back when the session ends. What is left
to the app is to tell the user so, plainly, with status 503 ("try again"), rather than a bare 500, and to drop
the dead connection so that Django opens a new one.

Two ways in, one answer (`database_fault_response`):

- `DatabaseFaultMiddleware.process_exception`: the view raised it, i.e. the save (or the page's reads) failed;
- `server_error` (the root URLconf's handler500): anything before or after the view failed on the database (the
  session or the user loaded by the middleware when the database server restarted between two requests). Any
  other error gets templates/500.html, which names nothing of the request.
"""

import logging
import sys

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse, HttpResponseServerError
from django.template import loader

log = logging.getLogger(__name__)

# Django's own wrappers of the driver's errors: the server went away, the connection was closed, a lock or
# statement timed out. Not IntegrityError or DataError: those are the services' to turn into a form message.
DATABASE_FAULTS = (OperationalError, InterfaceError)


def database_fault_response(request, exc):
    """The 503 page of a request the database failed, after dropping every connection the failure left unusable."""
    dropped = _drop_broken_connections()
    lost = dropped or _is_connection_loss(exc)
    log.error(
        "The database failed %s %s (%s); nothing of the request was saved.",
        request.method, request.path, "connection lost" if lost else "database error", exc_info=exc,
    )
    body = loader.render_to_string("503.html", {"connection_lost": lost})
    return HttpResponse(body, status=503, headers={"Retry-After": "10"})


# SQLSTATEs of a lost connection: class 08 (connection exception) and the server shutting the session down
# (57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now). Others (a lock or statement timeout,
# a deadlock) leave the connection working.
LOST_CONNECTION_STATES = ("08", "57P01", "57P02", "57P03")


def _is_connection_loss(exc) -> bool:
    """Whether the database connection itself was lost. A failed transaction has often been rolled back and the
    connection reopened by Django by now (the end of the outermost atomic block reconnects), so this reads the
    driver's error: PostgreSQL's SQLSTATE, or none at all when the client library found the socket closed."""
    if isinstance(exc, InterfaceError):
        return True
    cause = exc.__cause__
    attribute = next((name for name in ("pgcode", "sqlstate") if hasattr(cause, name)), None)  # psycopg 2, 3
    if attribute is None:  # not PostgreSQL's (SQLite has no server to lose)
        return False
    state = getattr(cause, attribute)
    return state is None or state.startswith(LOST_CONNECTION_STATES)


def _drop_broken_connections() -> bool:
    """Close each connection that saw an error and no longer answers, so the next query opens a new one (what
    Django does at the start of the next request, done now: a test client or a worker thread may not get there).
    True when it closed one."""
    lost = False
    for connection in connections.all(initialized_only=True):
        if not connection.errors_occurred or connection.in_atomic_block:
            continue  # fine, or inside a block that is not ours to end (it rolls itself back)
        if connection.connection is not None and not connection.is_usable():
            connection.close()
            lost = True
    return lost


class DatabaseFaultMiddleware:
    """Turns a database failure raised by a view into the 503 page (`database_fault_response`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_FAULTS):
            return database_fault_response(request, exception)
        return None


def server_error(request):
    """handler500: the 503 page for a database failure outside the view, else the calm 500 page. Neither uses
    the database or the request's data, so it renders whatever failed."""
    exc = sys.exc_info()[1]
    if isinstance(exc, DATABASE_FAULTS):
        return database_fault_response(request, exc)
    return HttpResponseServerError(loader.render_to_string("500.html"))
