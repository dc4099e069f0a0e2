"""Gatehouse settings: everything comes from the environment, with defaults that run a demo.

No DATABASE_URL means SQLite in the project folder, so a school's IT person can try Gatehouse
without installing a database; no CELERY_BROKER_URL means background tasks run in-process.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

from gatehouse.lib.env import envbool, envint, envlist, envstr

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent

# The development key is public; gatehouse.checks refuses to run with it when DEBUG is off.
DEV_SECRET_KEY = "dev-only-not-secret-gatehouse"  # noqa: S105
SECRET_KEY = envstr("SECRET_KEY", DEV_SECRET_KEY)
DEBUG = envbool("DEBUG", True)
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = envstr("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "gatehouse.lib",
    "gatehouse.audit",
    "gatehouse.schools",
    "gatehouse.accounts",
    "gatehouse.community",
    "gatehouse.consent",
    "gatehouse.moderation",
    "gatehouse.evidence",
    "gatehouse.cases",
    "gatehouse.incidents",
    "gatehouse.governance",
    "gatehouse.publishing",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "gatehouse.lib.middleware.RefuseNullCharactersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "gatehouse.accounts.middleware.StaffMustUseMFAMiddleware",
]

ROOT_URLCONF = "gatehouse.urls"
WSGI_APPLICATION = "gatehouse.wsgi.application"

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
                "gatehouse.accounts.context_processors.staff_nav",
                "django.template.context_processors.csp",
            ],
        },
    },
]

# SQLite unless DATABASE_URL names another database. IMMEDIATE transactions make SQLite take
# its write lock when a transaction starts, so the audit chain is never forked by two writers.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{envstr('SQLITE_PATH', str(PROJECT_DIR / 'gatehouse.sqlite3'))}",
        conn_max_age=envint("CONN_MAX_AGE", 0),
        # A kept connection the server has dropped (PostgreSQL restarted) is noticed and
        # replaced when the next request starts, instead of failing that request.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# allauth: sign in by email; staff must add a TOTP second factor (see the middleware).
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_ADAPTER = "gatehouse.accounts.adapter.GatehouseAccountAdapter"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = False
# Five wrong passwords for one account locks it for fifteen minutes.
_ATTEMPTS, _LOCKOUT = envint("LOGIN_ATTEMPTS", 5), envint("LOGIN_LOCKOUT_SECONDS", 900)
ACCOUNT_RATE_LIMITS = {"login_failed": f"20/m/ip,{_ATTEMPTS}/{_LOCKOUT}s/key"}
# Gatehouse's own limits, per signed-in account and per address, as "count/seconds". Addresses
# are generous: a whole school's parents may share one (the school's wifi at an event).
# Password resets are limited by allauth (5 a minute per address and per email).
# RATE_LIMITS_ENABLED=false switches them off (the load benchmarks, which post from one account).
RATE_LIMITS = {
    "join": {"address": "10/3600"},
    "comment": {"account": "8/60", "address": "300/60"},
    "report": {"account": "20/3600", "address": "100/3600"},
    "csp_report": {"address": "60/60"},
} if envbool("RATE_LIMITS_ENABLED", True) else {}
# Accept the code before and after the current one too: a member of staff typing a code as it
# changes, or a phone's clock a little out, still gets in. A used code is still refused.
MFA_TOTP_TOLERANCE = 1
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_ADAPTER = "gatehouse.accounts.adapter.GatehouseMFAAdapter"
# Encrypts staff TOTP secrets at rest; derived from SECRET_KEY when not set.
MFA_ENCRYPTION_KEY = envstr("MFA_ENCRYPTION_KEY")
MFA_TOTP_ISSUER = "Gatehouse"
LOGIN_REDIRECT_URL = "/"
LOGIN_URL = "/accounts/login/"

CACHES = {
    "default": (
        # Short timeouts: if Redis is away the feed and rate limits fall back to the database
        # (community/feedcache.py, lib/ratelimit.py) quickly instead of hanging a worker.
        {"BACKEND": "gatehouse.lib.redis_cache.RedisCache", "LOCATION": envstr("REDIS_URL"),
         "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}}
        if envstr("REDIS_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# With Redis, sessions are read from it and written through to the database (lib/sessions.py):
# no query per page for the session, nobody signed out if Redis restarts.
if envstr("REDIS_URL"):
    SESSION_ENGINE = "gatehouse.lib.sessions"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(envstr("STATIC_ROOT", str(PROJECT_DIR / "var" / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded originals live outside the web root and are served only through staff views.
MEDIA_ROOT = Path(envstr("MEDIA_ROOT", str(PROJECT_DIR / "var" / "media")))
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

EMAIL_BACKEND = envstr("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = envstr("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = envstr("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = envstr("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
# Seconds to wait on the mail server: a server that accepts and then stalls must not hold a
# worker forever (the task fails, and retries later if the fault looks temporary).
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "Gatehouse <no-reply@gatehouse.invalid>")

# Celery: with no broker, tasks run in-process and errors surface at once.
CELERY_BROKER_URL = envstr("CELERY_BROKER_URL")
CELERY_RESULT_BACKEND = envstr("CELERY_RESULT_BACKEND") or None
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_SERIALIZER = "json"
# One queue per installation sharing a Redis; the two-node test gives its nodes their own.
CELERY_TASK_DEFAULT_QUEUE = envstr("CELERY_QUEUE", "celery")
# Scheduled work under `celery beat`; without a broker, `manage.py run_case_deadlines --loop`.
CELERY_BEAT_SCHEDULE = {
    "case-deadlines": {"task": "gatehouse.cases.tasks.send_due_reminders", "schedule": 300.0},
    # Retention, access-review and policy-review reminders: once a day (`manage.py
    # run_governance_daily` without a broker).
    "governance-daily": {"task": "gatehouse.governance.tasks.daily", "schedule": 86400.0},
    "publishing-due": {"task": "gatehouse.publishing.tasks.publish_due", "schedule": 30.0},
    # Sends only from DIGEST_HOUR (UK time) on, once per parent per day.
    "publishing-digests": {"task": "gatehouse.publishing.tasks.send_digests", "schedule": 900.0},
    # Page and Instagram tokens still work? Each is asked every PUBLISHING_TOKEN_CHECK_SECONDS.
    "publishing-token-health": {"task": "gatehouse.publishing.tasks.check_connections",
                                "schedule": 900.0},
}

# Publishing to the school's Facebook Page and Instagram (gatehouse.publishing). The Graph API's
# address is a setting so tests and the demo point it at a local fake server.
GRAPH_API_BASE = envstr("GRAPH_API_BASE", "https://graph.facebook.com/v21.0")
GRAPH_API_TIMEOUT = envint("GRAPH_API_TIMEOUT", 30)
INSTAGRAM_POLL_TIMES = envint("INSTAGRAM_POLL_TIMES", 10)
INSTAGRAM_POLL_SECONDS = envint("INSTAGRAM_POLL_SECONDS", 3)
# Encrypts Page access tokens at rest; derived from SECRET_KEY when not set.
PUBLISHING_TOKEN_KEY = envstr("PUBLISHING_TOKEN_KEY")
# How long a link Meta fetches a photo from keeps working.
PUBLISHING_MEDIA_LINK_SECONDS = envint("PUBLISHING_MEDIA_LINK_SECONDS", 3600)
# Videos on posts (gatehouse.publishing.video): the largest upload, the longest video, and how
# many frames a second are looked at for faces.
VIDEO_MAX_BYTES = envint("VIDEO_MAX_BYTES", 200 * 1024 * 1024)
VIDEO_MAX_SECONDS = envint("VIDEO_MAX_SECONDS", 180)
VIDEO_SAMPLES_PER_SECOND = envint("VIDEO_SAMPLES_PER_SECOND", 2)
# A worker that claimed a delivery and has not finished within this is taken to have died: the
# delivery is claimed again and reconciled with what the platform already has.
PUBLISHING_CLAIM_LEASE_SECONDS = envint("PUBLISHING_CLAIM_LEASE_SECONDS", 300)
# How often each Page and Instagram token is checked (expired or revoked ones are shown on the
# console and the administrators are emailed once).
PUBLISHING_TOKEN_CHECK_SECONDS = envint("PUBLISHING_TOKEN_CHECK_SECONDS", 6 * 3600)
# Meta webhooks (comments on the Page and Instagram): the app secret signs each delivery and
# the verify token answers the subscription handshake. Webhooks are refused while either is unset.
META_APP_SECRET = envstr("META_APP_SECRET")
META_VERIFY_TOKEN = envstr("META_VERIFY_TOKEN")
# "Connect with Facebook" (OAuth): the Meta app's id (with META_APP_SECRET), where Meta's login
# dialog lives, and how long the signed `state` of one attempt is good for. Meta must list
# <site>/publishing/oauth/callback/ as a valid OAuth redirect URI.
META_APP_ID = envstr("META_APP_ID")
FACEBOOK_DIALOG_BASE = envstr("FACEBOOK_DIALOG_BASE", "https://www.facebook.com")
META_OAUTH_STATE_SECONDS = envint("META_OAUTH_STATE_SECONDS", 600)
# Parents who chose a daily digest of new posts get it from this hour (UK time).
DIGEST_HOUR = envint("DIGEST_HOUR", 16)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
# Pages carry the CSRF token (forms, and hx-headers for HTMX): no script needs the cookie.
CSRF_COOKIE_HTTPONLY = True
# HTTPS. In production Gatehouse sits behind a TLS proxy (deploy/nginx/gatehouse.conf) that sets
# X-Forwarded-Proto and is the only way in (gunicorn listens on 127.0.0.1 or a socket).
if envbool("BEHIND_TLS_PROXY", not DEBUG):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # The proxy overwrites X-Forwarded-For with the client's address: the per-address sign-in
    # limits count people, not the proxy (gunicorn on a socket sees no address at all).
    ALLAUTH_TRUSTED_PROXY_COUNT = 1
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
# HSTS covers this host and hosts below it (gatehouse.school.sch.uk, not school.sch.uk itself).
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
# Browsers' preload list takes whole registered domains, which a school's IT decides for all its
# sites; Gatehouse leaves it off unless asked, so Django's reminder about it is silenced.
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = ["security.W021"]
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy: scripts and styles from Gatehouse's own static files only (an inline
# one needs the request's nonce), no plugins, no framing, forms post only here. Browsers report
# violations to /csp-report/, which logs them (logger gatehouse.csp).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "report-uri": ["/csp-report/"],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    # WeasyPrint and fontTools narrate every PDF at INFO.
    # httpx logs every request's URL at INFO; Graph calls carry no token in the URL, but the
    # log has no use for them either.
    "loggers": {name: {"level": "WARNING"} for name in ("weasyprint", "fontTools", "httpx",
                                                        "httpcore")},
}
