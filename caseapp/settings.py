"""Settings, all read from the environment (django-environ).

DEBUG is off unless set: a deployment that forgets it must not show debug pages with children's
records. Off, SECRET_KEY is required. `make run` (the embedded development default) sets DEBUG=true,
and then a local secret key is generated; the test run does the same (caseapp/settings_test.py).
With nothing else set the app runs on SQLite, Celery tasks executed eagerly in-process, console
email. README.md "Configuration" lists every variable.
"""

import secrets
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from caseapp.celery import URGENT, queue_name, task_routes

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env file is optional; real deployments set the environment directly.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)


def _secret_key() -> str:
    """SECRET_KEY from the environment; in development, one generated into an ignored file."""
    key = env.str("SECRET_KEY", default="")
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (DEBUG is off unless set). In production set SECRET_KEY "
            "(and ALLOWED_HOSTS); on a development machine use `make run`, or set DEBUG=true, which uses a "
            "generated local key."
        )
    key_file = BASE_DIR / ".secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Django's admin, on a site that also asks for the second factor (caseapp/admin_site.py, docs/security.md).
    "caseapp.admin_site.VerifiedAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "simple_history",
    # The second factor at sign-in: authenticator apps (TOTP) and single-use recovery codes (docs/security.md).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    # Lockout of repeated failed sign-ins (docs/security.md#lockout). Before caseapp, so that its signal
    # handlers have marked a request as locked out when caseapp's audit receivers run.
    "axes",
    "caseapp",
    "missing_reports",
    "risk",
    "exports",
]

MIDDLEWARE = [
    "caseapp.middleware.ForwardedForMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy and Permissions-Policy on every response (the policies are under "Security"
    # below; docs/security.md#headers).
    "caseapp.csp.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session passed the second factor; then a signed-in session that
    # must pass it and has not is held at the second step (caseapp/middleware.py, docs/security.md).
    "django_otp.middleware.OTPMiddleware",
    "caseapp.middleware.TwoFactorMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "caseapp.middleware.AgencyTimezoneMiddleware",
    # Idle timeout and absolute lifetime of a signed-in session (docs/security.md#sessions).
    "caseapp.middleware.SessionLimitsMiddleware",
    # A request that may change something drops the top bar's kept overdue count (caseapp/work.py).
    "caseapp.middleware.WorkCountMiddleware",
    # Turns a sign-in refused by the lockout into the sign-in page with its message (caseapp/lockout.py).
    "axes.middleware.AxesMiddleware",
    # A view the database failed (the connection dropped mid-save) answers a calm 503 page; caseapp/faults.py.
    "caseapp.faults.DatabaseFaultMiddleware",
]

if not DEBUG:
    # Production serves collected static files itself (no CDN, no extra web-server config);
    # in development runserver serves them from static/.
    MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
                      "whitenoise.middleware.WhiteNoiseMiddleware")

# The reverse proxy's addresses (docs/deploy.md): only a request from one of them has its X-Forwarded-For
# believed for the client's address (caseapp/middleware.py). gunicorn reads the same variable for
# X-Forwarded-Proto (gunicorn.conf.py).
FORWARDED_ALLOW_IPS = env.list("FORWARDED_ALLOW_IPS", default=["127.0.0.1", "::1"])

ROOT_URLCONF = "caseapp.urls"
WSGI_APPLICATION = "caseapp.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "caseapp.context_processors.roles",
            ],
            # Times on the agency's clock with their zone abbreviation, in every template.
            "builtins": ["caseapp.templatetags.agency_time"],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
# A connection kept between requests (CONN_MAX_AGE > 0) is checked before its first use in each request, so a
# database server restarted in between costs no failed request (docs/design.md#faults).
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a lock instead of failing at once when the eager worker and a request overlap.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and not env.bool("DATABASE_JIT", default=False):
    # PostgreSQL's JIT compiler off for the app's connections: it compiles any query whose estimated cost passes
    # jit_above_cost, and the pages' queries over a statewide agency pass it while running in milliseconds, so it
    # only costs: an admin's work-list query took 5.5 s with JIT (14.6 s of compiling across its workers) and
    # 0.19 s without; the reports dashboard ran in half the time without it (bench/README.md). DATABASE_JIT=true
    # turns it back on.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c jit=off".strip()

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "caseapp.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
# The lockout backend first: it refuses a sign-in of a locked-out account or address before the password is
# checked (django-axes); then Django's own.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
# The server's zone; each agency's own zone (Agency.time_zone) is activated per request.
TIME_ZONE = env.str("TIME_ZONE", default="America/Chicago")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
# Private media: photos and, later, report packets. Never served from a public URL; views
# stream them after the access check (caseapp/views/photos.py).
MEDIA_ROOT = Path(env.str("PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "private_media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": MEDIA_ROOT}},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Photos: the largest upload accepted, in bytes, and the largest image in pixels.
PHOTO_MAX_BYTES = env.int("PHOTO_MAX_BYTES", default=8 * 1024 * 1024)
PHOTO_MAX_PIXELS = env.int("PHOTO_MAX_PIXELS", default=40_000_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = PHOTO_MAX_BYTES + 1024 * 1024

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="caseapp@localhost")

# Alerts (docs/alerts.md). SMS goes through a pluggable backend, like email: the console backend logs them;
# caseapp.sms.twilio.SmsBackend sends through Twilio with the account below. An agency sends SMS only when its
# "send alerts by SMS" setting is on.
SMS_BACKEND = env.str("SMS_BACKEND", default="caseapp.sms.console.SmsBackend")
SMS_TIMEOUT_SECONDS = env.float("SMS_TIMEOUT_SECONDS", default=10.0)
TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env.str("TWILIO_AUTH_TOKEN", default="")
TWILIO_FROM_NUMBER = env.str("TWILIO_FROM_NUMBER", default="")
TWILIO_API_BASE_URL = env.str("TWILIO_API_BASE_URL", default="")
# How long the acknowledgement link of an alert email or SMS works.
ALERT_LINK_MAX_AGE_DAYS = env.int("ALERT_LINK_MAX_AGE_DAYS", default=7)
# A delivery that fails this many times is marked failed (and logged); before that it is retried with backoff.
ALERT_DELIVERY_MAX_ATTEMPTS = env.int("ALERT_DELIVERY_MAX_ATTEMPTS", default=5)

# Celery: with REDIS_URL unset, tasks run eagerly in the web process (the embedded default).
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
# The queues (caseapp/celery.py QUEUE_OF_TASK): packets, clock sweeps and alerts on "urgent", exports and
# whole-agency recomputations on "bulk", each consumed by its own worker (docs/deploy.md#queues). The prefix
# lets two installations share one Redis database; the tests give each test its own.
TASK_QUEUE_PREFIX = env.str("TASK_QUEUE_PREFIX", default="")
CELERY_TASK_DEFAULT_QUEUE = queue_name(URGENT, TASK_QUEUE_PREFIX)
CELERY_TASK_ROUTES = task_routes(TASK_QUEUE_PREFIX)
CELERY_TASK_REJECT_ON_WORKER_LOST = True

# Django's cache, for short-lived figures every web process may share (the home page's counts:
# caseapp/selectors.py dashboard_summary): Redis when REDIS_URL is set, else each process's own memory. A
# cache that cannot be reached is skipped (the figures are computed), so short socket timeouts.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"{TASK_QUEUE_PREFIX}caseapp",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "caseapp"}}
# How long the home page's counts (active youth, assigned to you, no current placement) are reused for a
# scope. Who is missing now is never cached.
HOME_COUNTS_SECONDS = env.int("HOME_COUNTS_SECONDS", default=60)
# How long the top bar's count of a person's overdue work items is reused (caseapp/work.py): refreshed by My work
# and the home page, dropped by any request of theirs that may change something.
WORK_COUNT_SECONDS = env.int("WORK_COUNT_SECONDS", default=60)
# The reports dashboard's period figures are counted by a task and kept in the cache per scope and filters
# (exports/services/dashboard.py): drawn as they are for DASHBOARD_STALE_SECONDS, then drawn with their time
# while one recount runs; kept DASHBOARD_KEEP_SECONDS in all. A count not finished after
# DASHBOARD_COUNT_LEASE_SECONDS (its worker died) may be started again.
DASHBOARD_STALE_SECONDS = env.int("DASHBOARD_STALE_SECONDS", default=600)
DASHBOARD_KEEP_SECONDS = env.int("DASHBOARD_KEEP_SECONDS", default=24 * 60 * 60)
DASHBOARD_COUNT_LEASE_SECONDS = env.int("DASHBOARD_COUNT_LEASE_SECONDS", default=15 * 60)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A message a worker took but never acknowledged (acks_late: the worker was killed mid-task) goes back
# on the Redis queue this long after it was delivered; Redis's own default is an hour. Kombu looks for
# such messages every 10 s (its unacked_restore_interval, with throttle 1). 60 s is twice a packet build's lease
# (missing_reports.packets.pipeline.BUILD_LEASE), so the redelivered build usually finds the dead
# worker's claim expired and takes it over; the minute sweep does so anyway (docs/packets.md, "A
# worker killed mid-build"). It must stay above the longest countdown a task waits (a packet build's
# retries wait at most 16 s): a message held for its countdown would be delivered twice. A task that
# runs longer (a large export) is delivered again while it runs; every task is idempotent and the
# second run finds the first one's live claim and leaves it (docs/design.md#rule-idempotent-tasks).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 60, "unacked_restore_throttle": 1}
# Tests only: a packet build sleeps this many seconds after it claimed the version, so a test can kill
# a real worker mid-build (tests/integration/test_packet_worker.py passes it to the worker it starts).
PACKET_BUILD_TEST_DELAY = env.float("PACKET_BUILD_TEST_DELAY", default=0.0)

# Celery's Django fix-up closes every database connection around every task unless this is set,
# whatever CONN_MAX_AGE says: a new PostgreSQL connection per task (10-15 ms of server CPU each,
# bench/README.md). Set, it closes them only every N/2 tasks, and caseapp/celery.py applies Django's
# own rule after each task instead (CONN_MAX_AGE, and a connection that saw an error is dropped).
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=1000)

# Celery beat (one process, `celery -A caseapp beat`). Each app adds its entries from its AppConfig.ready()
# (caseapp/registry.py register_periodic_task), e.g. the deadline sweep every minute (missing_reports/apps.py).
# Celery reads its configuration from these settings when it first needs it, and beat sets Django up
# before it reads the schedule, so beat sees every entry; `run_periodic` runs the same entries without beat.
CELERY_BEAT_SCHEDULE = {}

# Export files (Reports page) are removed this many hours after they are made; the job row stays.
EXPORT_EXPIRY_HOURS = env.int("EXPORT_EXPIRY_HOURS", default=72)

# The reminder leads of the reporting clocks are agency settings (Agency.reminder_lead_hours_*,
# first_hour_reminder_minutes; missing_reports/escalation.py).
# Where the app is reached, for links in emails.
APP_BASE_URL = env.str("APP_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")

# Security. Development keeps plain HTTP; production (DEBUG off) turns every protection on so
# that `manage.py check --deploy` reports nothing.
SESSION_COOKIE_HTTPONLY = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Sessions (docs/security.md#sessions). A session ends this many hours after its sign-in, whatever the
# activity (caseapp/middleware.py SessionLimitsMiddleware); the idle timeout is the agency's setting
# (Agency.session_idle_minutes). The page warns this many seconds before the idle sign-out (at most half the
# idle time).
SESSION_ABSOLUTE_HOURS = env.float("SESSION_ABSOLUTE_HOURS", default=12.0)
SESSION_IDLE_WARNING_SECONDS = env.int("SESSION_IDLE_WARNING_SECONDS", default=120)
# The idle time of a user with no agency (a superuser).
SESSION_IDLE_MINUTES_DEFAULT = env.int("SESSION_IDLE_MINUTES_DEFAULT", default=30)
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_HOURS * 60 * 60)

# Lockout of repeated failed sign-ins, on the app's sign-in page and the Django admin's (django-axes;
# docs/security.md#lockout). An account is locked after SIGN_IN_FAILURE_LIMIT failures, an address after
# SIGN_IN_ADDRESS_FAILURE_LIMIT (higher: an office behind one address shares it), each for
# SIGN_IN_COOL_OFF_MINUTES after the last failure; a success clears the account's failures.
SIGN_IN_FAILURE_LIMIT = env.int("SIGN_IN_FAILURE_LIMIT", default=5)
SIGN_IN_ADDRESS_FAILURE_LIMIT = env.int("SIGN_IN_ADDRESS_FAILURE_LIMIT", default=20)
SIGN_IN_COOL_OFF_MINUTES = env.int("SIGN_IN_COOL_OFF_MINUTES", default=30)
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_HANDLER = "caseapp.lockout.SignInLockoutHandler"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# Read from the SIGN_IN_ settings above when asked, so that there is one value of each.
AXES_FAILURE_LIMIT = "caseapp.lockout.failure_limit"
AXES_COOLOFF_TIME = "caseapp.lockout.cool_off_for"
AXES_RESET_ON_SUCCESS = True
# An attempt while locked out is refused and audited but does not extend the lock: the cool-off runs from the
# failure that locked it, as the sign-in page says.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# The same address as the audit trail: REMOTE_ADDR, which the proxy in front must set (README).
AXES_CLIENT_IP_CALLABLE = "caseapp.audit.client_ip"
AXES_LOCKOUT_CALLABLE = "caseapp.views.sign_in_activity.locked_out"
# The audit trail records sign-ins and sign-outs (caseapp/signin_audit.py); axes keeps only its counters.
AXES_DISABLE_ACCESS_LOG = True
# Its own admin pages would list every agency's attempts; unlocking is the agency admin's staff page.
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # The health check answers over plain HTTP too, for a check run on the machine itself (docs/deploy.md).
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]

# Content-Security-Policy (django-csp; docs/security.md#headers). In development and tests too, so a new
# inline script or style fails a browser test at once (tests/browser/csp.py). Every script and style is a
# file under static/; no 'unsafe-inline' or 'unsafe-eval' anywhere. img-src allows data: for the small SVG
# icons inside Bootstrap's stylesheet (checkboxes, selects, the close button). The Django admin's history
# pages get one exception for a style attribute of django-simple-history (caseapp/csp.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "frame-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Permissions-Policy (django-permissions-policy): the app uses none of these browser features (a photo is
# chosen with a file input, not taken with the camera), so no page, nor anything injected into one, can.
# Only features Chromium knows: it logs an unknown one as an error (and tests/browser/csp.py fails on it).
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer", "autoplay", "camera", "display-capture", "encrypted-media", "fullscreen",
        "geolocation", "gyroscope", "hid", "idle-detection", "magnetometer", "microphone", "midi", "payment",
        "picture-in-picture", "screen-wake-lock", "serial", "usb", "xr-spatial-tracking",
    )
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # django-axes logs every sign-in at INFO; failures and lockouts are WARNING (and in the audit trail).
    "loggers": {"axes": {"level": "WARNING"}},
}

# The second factor (docs/security.md). The name authenticator apps show beside the account; how long the
# second step waits after a correct password before the sign-in starts over; a wrong code makes the next
# attempt wait 1, 2, 4, 8... seconds times the throttle factor (django-otp's throttling, per device).
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Youth case records")
TWO_FACTOR_STEP_SECONDS = env.int("TWO_FACTOR_STEP_SECONDS", default=10 * 60)
OTP_TOTP_THROTTLE_FACTOR = env.int("OTP_THROTTLE_FACTOR", default=1)
OTP_STATIC_THROTTLE_FACTOR = env.int("OTP_THROTTLE_FACTOR", default=1)
# How many recovery codes a person gets at a time.
TWO_FACTOR_RECOVERY_CODES = 10

# Pages list this many rows at a time.
PAGE_SIZE = 25
# The caseload counts its matches exactly up to this many (reading at most this many rows); a larger list
# shows "about N", counted in full at most once per HOME_COUNTS_SECONDS for a scope and filter.
CASELOAD_EXACT_COUNT_UP_TO = env.int("CASELOAD_EXACT_COUNT_UP_TO", default=2000)
# How many audit and history rows the youth page shows.
YOUTH_HISTORY_ROWS = 20
# The youth page lists this many missing episodes (the open one first, then the newest), with a link to all.
YOUTH_EPISODES_SHOWN = env.int("YOUTH_EPISODES_SHOWN", default=10)
