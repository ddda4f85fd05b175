"""Switchback's one settings module, driven by environment variables.

Variables are prefixed DJANGO_, plus DATABASE_URL and REDIS_URL. Development defaults
apply only when DJANGO_DEBUG is on; with it off, a missing secret stops start-up with a
message that names the variable to set.

For development, variables may also come from a `.env` file beside manage.py (or the file
DJANGO_ENV_FILE names; an empty DJANGO_ENV_FILE reads none). `make run` writes one, so every
`manage.py` command works in a new shell exactly as the README prints it. A variable set in
the environment wins over the file, and with DJANGO_DEBUG=0 in the environment the file is
not read at all: production never runs on a checkout's development settings.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
import dj_email_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from dotenv import dotenv_values

BASE_DIR = Path(__file__).resolve().parent.parent

ENV_FILE = os.environ.get("DJANGO_ENV_FILE", str(BASE_DIR / ".env"))
if ENV_FILE and os.environ.get("DJANGO_DEBUG", "").lower() not in {"0", "false", "no", "off"}:
    for name, value in dotenv_values(ENV_FILE).items():
        if value is not None:
            os.environ.setdefault(name, value)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean: use 1 or 0.")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_required(name: str, development_default: str) -> str:
    value = os.environ.get(name, "")
    if value:
        return value
    if DEBUG:
        return development_default
    raise ImproperlyConfigured(
        f"Set {name}: it is required when DJANGO_DEBUG is off (see the settings table in "
        "README.md). On a checkout for development, run `make run` once: it writes a .env "
        "that turns DJANGO_DEBUG on for every manage.py command."
    )


DEBUG = env_bool("DJANGO_DEBUG")

SECRET_KEY = env_required("DJANGO_SECRET_KEY", "development-only-secret-key-do-not-deploy")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS") or (
    ["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "Set DJANGO_ALLOWED_HOSTS to the host names the site answers to, "
        "comma-separated (for example: switchback.example.org)."
    )
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# Where the SQLite database, uploads and backups live by default.
DATA_DIR = Path(os.environ.get("DJANGO_DATA_DIR", BASE_DIR / "data"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    # Failed logins counted in the database, for every login form (config/login.py).
    "axes",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.forms",
    # Before staticfiles, so runserver serves files the way production does.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "markdownx",
    "roadmap",
    "journal",
    "learners",
]

MIDDLEWARE = [
    # First, so even a request refused by the middleware below carries its id.
    "config.middleware.RequestIdMiddleware",
    "config.health.HealthCheckMiddleware",
    # Before everything else: a visitor's page comes from the cache with the headers the
    # middleware below gave it when it was rendered, at the cost of one query.
    "config.cache.VisitorPageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.middleware.RefuseNulMiddleware",
    # Inside the cache, so it keeps pages compressed and compresses each only once. Django
    # masks the CSRF token anew in every response, which is what defeats BREACH here.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "config.login.LoginAttemptLockMiddleware",
    "roadmap.middleware.OldRoadmapAddressMiddleware",
    # Last, as django-axes requires: it turns a lockout into the login page saying so.
    "axes.middleware.AxesMiddleware",
]

# The lockout check runs before any password is checked; the model backend checks it.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Only one password-checking backend: with two, a wrong password is checked twice, and
    # the login limit's count of checks would be off. Sessions begun under the earlier
    # backend's name end once, at the first deploy with this one.
    "learners.backends.ModelBackendWithProfile",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
            ],
            "libraries": {"kept": "config.fragments"},
        },
    },
]

# Form widgets render through the project's templates too, so templates/ can override them.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# SQLite is the embedded default: one `make run` needs no database server.
SQLITE_PATH = DATA_DIR / "db.sqlite3"
SQLITE_OPTIONS = {
    # Every transaction takes the write lock when it begins, so two writers queue on the
    # busy timeout instead of one failing with "database is locked" when it upgrades a
    # read lock to a write lock halfway through.
    "transaction_mode": "IMMEDIATE",
    # Seconds a connection waits for the write lock before giving up.
    "timeout": 20,
    "init_command": (
        # Write-ahead log: readers never block the writer and the writer never blocks readers.
        "PRAGMA journal_mode=WAL;"
        # In WAL mode NORMAL is still safe against corruption and saves an fsync per commit.
        "PRAGMA synchronous=NORMAL;"
        # Temporary tables and indexes in memory rather than in files beside the database.
        "PRAGMA temp_store=MEMORY;"
        # Map up to 128 MiB of the file into memory: fewer read system calls on hot pages.
        "PRAGMA mmap_size=134217728;"
        # About 20 MiB of page cache per connection (negative means KiB).
        "PRAGMA cache_size=-20000;"
    ),
}
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        DATABASES["default"]["OPTIONS"] = dict(SQLITE_OPTIONS)
        DATABASES["default"]["CONN_MAX_AGE"] = None
else:
    # SQLite cannot create the folder its file lives in.
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            "OPTIONS": dict(SQLITE_OPTIONS),
            # Each server process keeps its connection: opening one and running the pragmas
            # above cost more than the rest of a cached page.
            "CONN_MAX_AGE": None,
        }
    }

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # Shared by every app server, so a change made through one is seen by all.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("DJANGO_CACHE_PREFIX", "switchback"),
        }
    }
else:
    # Each server process has its own; pages are keyed on the version in the database, so
    # none of them serves what another has changed. Room for every page of a large site.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 3000},
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Email: SMTP when EMAIL_URL (smtp://user:password@host:587/?tls=True) or DJANGO_EMAIL_HOST is
# set; otherwise printed to the console, where `make run` shows it.
EMAIL_URL = os.environ.get("EMAIL_URL", "")
if EMAIL_URL:
    vars().update(dj_email_url.parse(EMAIL_URL))
elif os.environ.get("DJANGO_EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["DJANGO_EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", 587))
    EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "switchback@localhost")

# Anyone may make an account at /join/ (1), or only those with an invitation link (0).
OPEN_SIGNUP = env_bool("DJANGO_OPEN_SIGNUP", False)

LOGIN_URL = "login"

# Login limits (django-axes; see docs/security.md). An account is locked out from one address
# after this many failures in a row, for this long; other addresses are not, so no stranger
# can lock a learner out of the site. Unlock early: manage.py axes_reset_username NAME.
AXES_FAILURE_LIMIT = int(os.environ.get("DJANGO_LOGIN_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("DJANGO_LOGIN_COOLOFF_MINUTES", 15)))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Failures while locked out do not push the end of the lockout further away.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "config.login.client_ip"
AXES_LOCKOUT_CALLABLE = "config.login.locked_out"
# Successful logins are not recorded: only what the limit needs is kept.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
# How many proxies in front of the app append to X-Forwarded-For (0: none, trust no header).
TRUSTED_PROXIES = int(os.environ.get("DJANGO_TRUSTED_PROXIES", 0))
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", DATA_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed files that can be cached for a year; plain files under DEBUG
    # so a changed stylesheet shows without running collectstatic.
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# A link typed without a scheme means https, as it will in Django 6.0.
FORMS_URLFIELD_ASSUME_HTTPS = True

# A strict policy: every script and style comes from this site, none inline.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # Posts may show images hosted elsewhere; they cannot run anything.
        "img-src": [SELF, "https:"],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    # Production sits behind a TLS-terminating proxy that sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", 60 * 60 * 24 * 365))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
    # Preloading puts the domain in the browsers' own HTTPS-only lists, which is slow to undo
    # and binds every subdomain: the site's owner opts in (DJANGO_HSTS_PRELOAD=1) knowingly.
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # The deploy check's reminder that preload is off: off is the decision (see above).
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

# Every line names the request it is about: a server error's line carries the path and the
# id its error page showed.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request": {"()": "config.middleware.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(levelname)s %(name)s [%(request_id)s %(path)s] %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request"],
            "formatter": "plain",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    # django-axes reports every login at INFO; a lockout is a warning and still shows.
    "loggers": {"axes": {"level": "WARNING"}},
}

# The editor's preview and upload go to the journal's own views, which require a login and
# use the project's renderer and image checks (markdownx's own are open and unsanitised).
MARKDOWNX_URLS_PATH = "/journal/preview/"
MARKDOWNX_UPLOAD_URLS_PATH = "/journal/upload/"
MARKDOWNX_SERVER_CALL_LATENCY = 400
# Images one learner may upload in any hour: each costs a decode and disk space.
UPLOADS_PER_HOUR = int(os.environ.get("DJANGO_UPLOADS_PER_HOUR", 30))

# How often an open dashboard asks whether anything changed (an unchanged one costs a 304).
DASHBOARD_REFRESH_SECONDS = int(os.environ.get("DJANGO_DASHBOARD_REFRESH_SECONDS", 60))

# The curricula a learner can start a roadmap from.
CURRICULA_DIR = Path(os.environ.get("DJANGO_CURRICULA_DIR", BASE_DIR / "curricula"))
