"""gunicorn's settings for the web process (`make serve`, deploy/systemd/caseapp-web.service; docs/deploy.md).

gunicorn reads this file from the directory it starts in (or `gunicorn -c gunicorn.conf.py`). Every value can be
changed from the environment, named below and in README.md "Configuration"; nothing here holds a secret.
"""

import multiprocessing
import os


def _int(name, default):
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


wsgi_app = "caseapp.wsgi:application"

# Where gunicorn listens: the reverse proxy (nginx, docs/deploy.md) talks to this address. Keep it on the loopback
# or a private interface (or a unix socket, "unix:/run/caseapp/gunicorn.sock"): the proxy terminates TLS.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Synchronous workers, each one request at a time: 2 per core + 1 is gunicorn's own rule of thumb.
workers = _int("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1)
# A request that runs longer than this is cut and its worker restarted. Long work (exports, packets) runs in
# Celery workers, never in a request; a photo upload or a packet download is well within it.
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = 5
# Restart each worker after about this many requests, against slow memory growth; the jitter keeps them from
# restarting all at once.
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = 100

# The proxy's addresses: only from these does gunicorn believe X-Forwarded-Proto (so Django sees HTTPS and
# does not redirect again). Comma-separated addresses or networks; the proxy on this machine by default. The
# same variable tells Django whose X-Forwarded-For to believe for the client address the audit trail records
# (caseapp/middleware.py ForwardedForMiddleware).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Logs go to standard output/error: systemd's journal (or the container's log) keeps them.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# The access log names the path, never the query string (%(U)s, not %(r)s or %(q)s) nor the referrer: a
# search for a youth puts the name in the query string (/youth/?q=...), and a log is not the place for it.
# Fields: client (the proxy's X-Forwarded-For when set), time, method, path, protocol, status, bytes, duration
# in microseconds, user agent.
access_log_format = '%({x-forwarded-for}i)s %(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(D)s "%(a)s"'

# gunicorn 25+ opens a control socket for `gunicornc` (resize, reload) unless told not to: nobody here uses it.
control_socket_disable = True
