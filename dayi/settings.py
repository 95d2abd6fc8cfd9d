"""One settings module, driven by environment variables (see README, "Configuration")."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from csp.constants import NONCE

from dayi.core.env import ConfigError, env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent

DEBUG = env_bool("DAYI_DEBUG", False)
SECRET_KEY = env_str("DAYI_SECRET_KEY")
if not SECRET_KEY:
    if env_bool("DAYI_PRODUCTION", False):
        raise ConfigError("DAYI_SECRET_KEY must be set in production")
    # A development key: fine for the demo and the tests, refused by `dayi check --deploy`.
    SECRET_KEY = "django-insecure-dayi-development-key-not-for-production"  # noqa: S105

ALLOWED_HOSTS = env_list("DAYI_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("DAYI_CSRF_TRUSTED_ORIGINS")
CSRF_FAILURE_VIEW = "dayi.core.views.csrf_failure"  # the pages' refusal: a fragment for htmx

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    # The job runner (e-mails, reminders, no-show marking): jobs live in PostgreSQL; `dayi worker` runs them.
    "procrastinate.contrib.django",
    "dayi.core",
    "dayi.accounts",
    "dayi.network",
    "dayi.directory",
    "dayi.search",
    "dayi.booking",
    "dayi.orders",
    "dayi.ratings",
    "dayi.demands",
    "dayi.statements",
    "dayi.vouchers",
    "dayi.stats",
    "dayi.evaluation",
    "dayi.notify",
    "dayi.portal",
    "dayi.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Before anything reads the body (CSRF reads a form): 413 for an oversized body, 400 for a bad multipart.
    "dayi.core.limits.RequestLimitsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # The pages' one error path: a DayiError a view lets through becomes the message page or htmx fragment.
    "dayi.core.pages.PageErrors",
]

ROOT_URLCONF = "dayi.urls"
WSGI_APPLICATION = "dayi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "dayi.core.context.site",
                "dayi.core.context.punctuation",
                "dayi.accounts.context.roles",
            ],
        },
    },
]


def _database_from_url(url: str) -> dict[str, object]:
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise ConfigError(f"DATABASE_URL must be a postgresql:// URL, got {parts.scheme!r}")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")) or "postgres",
        "USER": unquote(parts.username or "postgres"),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
    }


def _embedded_database() -> dict[str, object]:
    # Only where the private server listens: the entry points start it (dayi.db.embedded), never an import.
    from dayi.db import embedded

    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": embedded.database_name(),
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": embedded.socket_dir(),
        "PORT": "",
    }


DATABASE_URL = env_str("DATABASE_URL")
_db = _database_from_url(DATABASE_URL) if DATABASE_URL else _embedded_database()
_db["CONN_MAX_AGE"] = env_int("DAYI_DB_CONN_MAX_AGE", 60)
_db["CONN_HEALTH_CHECKS"] = True
# The test database is named after the database (test_<name>), so runs against different databases of one
# server — CI's two passes, or several developers sharing a server — never drop each other's.
_db["TEST"] = {"NAME": env_str("DAYI_TEST_DB_NAME", f"test_{_db['NAME']}")}
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
# Failed sign-ins allowed per username and per address in the window before answering 429.
LOGIN_MAX_FAILURES = env_int("DAYI_LOGIN_MAX_FAILURES", 5)
LOGIN_FAILURE_WINDOW_SECONDS = env_int("DAYI_LOGIN_FAILURE_WINDOW_SECONDS", 900)
# Reverse proxies whose X-Forwarded-For is believed: sign-in throttling then counts the client's address.
DAYI_TRUSTED_PROXIES = env_list("DAYI_TRUSTED_PROXIES")
API_TOKEN_DAYS = env_int("DAYI_API_TOKEN_DAYS", 90)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
# ISO first among each language's input formats: what a date or time input shows (dayi/core/formats).
FORMAT_MODULE_PATH = ["dayi.core.formats"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("DAYI_STATIC_ROOT", str(BASE_DIR / "var" / "static")))
NODE_MODULES = BASE_DIR / "node_modules"
# Front-end libraries come from the npm registry (package.json + package-lock.json) and are served
# by Dayi itself; only their distribution folders are exposed.
STATICFILES_DIRS = [
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),
    ("vendor/fullcalendar", NODE_MODULES / "fullcalendar"),
]
STATICFILES_DIRS = [(prefix, path) for prefix, path in STATICFILES_DIRS if path.exists()]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG

EMAIL_BACKEND = env_str("DAYI_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("DAYI_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DAYI_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("DAYI_EMAIL_USER")
EMAIL_HOST_PASSWORD = env_str("DAYI_EMAIL_PASSWORD")
EMAIL_USE_TLS = env_bool("DAYI_EMAIL_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DAYI_FROM_EMAIL", "dayi@localhost")
# The address the site is reached at, for links in e-mails and calendar feeds (no trailing slash).
DAYI_SITE_URL = env_str("DAYI_SITE_URL", "http://localhost:8000").rstrip("/")
# Booking reminders go out this many hours before the start (a periodic job looks every 5 minutes).
DAYI_REMINDER_HOURS = env_int("DAYI_REMINDER_HOURS", 24)

# The largest inventory file an import accepts, in bytes.
DAYI_IMPORT_MAX_BYTES = env_int("DAYI_IMPORT_MAX_BYTES", 20 * 1024 * 1024)
# Request bodies (docs/security.md, "Limits"): a JSON or form body may declare at most this many bytes
# (Django's own setting, 2.5 MB), a multipart upload the import's limit plus 1 MB for its other fields.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DAYI_BODY_MAX_BYTES", 2_621_440)
DAYI_UPLOAD_MAX_BYTES = env_int("DAYI_UPLOAD_MAX_BYTES", DAYI_IMPORT_MAX_BYTES + 1024 * 1024)

# The platform this deployment serves (its home page figures); empty = the whole network.
DAYI_SITE_PLATFORM = env_str("DAYI_SITE_PLATFORM")

PRODUCTION = env_bool("DAYI_PRODUCTION", False)
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DAYI_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("DAYI_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_HTTPONLY = True
# Headers on every answer, in development too (docs/security.md, "Headers"): a page cannot be framed,
# a download cannot be sniffed into a script, and other sites see only our origin.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): scripts and styles only from our own static files, never inline,
# so a script that slips into a page cannot run. The one exception is a nonce for the <style> element
# FullCalendar writes at run time (it reads the nonce from <meta name="csp-nonce">); a page that never
# asks for the nonce gets none. Templates hold no style="" attributes (a test keeps it so). Swagger UI at
# /api/v1/docs loads its script from a CDN and runs an inline one: it is left out of the policy (it shows
# the public OpenAPI document and holds no data).
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/api/v1/docs"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", NONCE],
        # ECharts' SVG renderer and its tooltips write style="…" attributes from script. Attributes only:
        # they cannot load anything or select elements, and <style> elements still need the nonce.
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],  # FullCalendar's icon font is a data: URL in its styles
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DAYI_LOG_LEVEL", "WARNING")},
}
