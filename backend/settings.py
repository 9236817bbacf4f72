"""Settings for the caring mothers platform, read from the environment.

With nothing set the platform runs on embedded defaults (SQLite under ``var/``, a
filesystem Celery broker, a file cache, SMS to the local outbox), which is what
``make run`` uses. Production sets ``DJANGO_DEBUG=false`` and real URLs; see
``.env.example`` for every variable.
"""

import datetime
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")
VAR_DIR = Path(env.str("VAR_DIR", default="") or BASE_DIR / "var")

DEBUG = env.bool("DJANGO_DEBUG", default=True)

_DEV_SECRET_KEY = "django-insecure-dev-only-key-never-use-in-production-0123456789"
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set: production mode (DJANGO_DEBUG=false) needs a random "
            "SECRET_KEY of at least 50 characters in the environment."
        )
    SECRET_KEY = _DEV_SECRET_KEY
elif not DEBUG and (len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure")):
    raise ImproperlyConfigured("SECRET_KEY is too weak for production: use at least 50 random characters.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Public base URL, used in links sent by SMS/WeChat and to validate Twilio signatures.
# The local default follows PORT (the port `make run` serves on).
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default=f"http://127.0.0.1:{env.int('PORT', default=8000)}").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "backend.regions",
    "backend.accounts",
    "backend.audit",
    "backend.programmes",
    "backend.ops",
    "backend.volunteers",
    "backend.children",
    "pairing",
    "backend.checkins",
    "notifications",
    "backend.activities",
    "backend.dashboard",
    "backend.workspace",
    "backend.records",
    "pgtrigger",
    "pghistory",
    "backend.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "backend.ops.middleware.RequestSizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "backend.accounts.middleware.VolunteerSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "backend.ops.middleware.ContentSecurityPolicyMiddleware",
    "backend.ops.middleware.RejectNulBytesMiddleware",
    "backend.ops.middleware.NoStoreMiddleware",
    # Axes must be last: it turns a locked-out login into a 403 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "backend.urls"
WSGI_APPLICATION = "backend.wsgi.application"
ASGI_APPLICATION = "backend.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "backend" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# --- database ---------------------------------------------------------------
DATABASES = {
    "default": env.db_url_config(env.str("DATABASE_URL", default="") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Covering indexes are a PostgreSQL feature; SQLite builds the index without them.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Several processes (web, worker, beat) share the file in `make run`.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 30
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    DATABASES["default"]["OPTIONS"]["init_command"] = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
    # No JIT compilation: the platform's statements are index probes over many rows, whose
    # estimated cost passes jit_above_cost while compiling them takes longer (40 ms and more)
    # than running them. A DATABASE_URL with its own ?options=... replaces this.
    DATABASES["default"]["OPTIONS"].setdefault("options", "-c jit=off")
# Parallel test runs on one server each need their own test database.
if env.str("TEST_DATABASE_NAME", default=""):
    DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache (rate limits, locks, tokens): must be shared by every process -----
CACHE_URL = env.str("CACHE_URL", default="")
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="cm"),
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
elif CACHE_URL:
    CACHES = {"default": env.cache_url_config(CACHE_URL)}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- auth -------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "workspace:login"
# Lock a username+IP pair after repeated failures.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("LOGIN_LOCKOUT_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "ops/locked_out.html"
AXES_VERBOSE = False
# Sign-in lockouts count per client address by the platform's one rule (ops.ratelimit.client_ip).
AXES_CLIENT_IP_CALLABLE = "backend.ops.ratelimit.client_address"
# X-Forwarded-For is believed only from our own proxies: 0 = nothing in front (the client
# is REMOTE_ADDR), a number N = N proxies, or their addresses/networks, comma-separated.
RATE_LIMIT_TRUSTED_PROXIES = env.str("RATE_LIMIT_TRUSTED_PROXIES", default="0")
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True  # staff; volunteers stay signed in on their phone:
VOLUNTEER_SESSION_DAYS = env.int("VOLUNTEER_SESSION_DAYS", default=30)  # sliding, from her last visit

# --- i18n -------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- static -----------------------------------------------------------------
STATIC_URL = "/static/"
# WeUI and ECharts are vendored here from npm (`make vendor`): served by the platform, no CDN.
STATICFILES_DIRS = [BASE_DIR / "backend" / "static"]
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default="") or VAR_DIR / "media")
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=5 * 1024 * 1024)

# --- REST framework ---------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "backend.ops.parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "backend.ops.errors.api_exception_handler",
}
# The OpenAPI schema and Swagger UI (/api/schema/, /api/docs/) are for federation staff;
# API_DOCS_PUBLIC=1 opens them to everyone (they show the API's shape, never data).
API_DOCS_PUBLIC = env.bool("API_DOCS_PUBLIC", default=False)
SPECTACULAR_SETTINGS = {
    "TITLE": "爱心妈妈结对关爱平台 API",
    "VERSION": "1.0.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a "status", "reason", "category" or "gender" of their own: name each.
    "ENUM_NAME_OVERRIDES": {
        "ApplicationStatusEnum": "backend.volunteers.models.Application.Status",
        "VolunteerStatusEnum": "backend.volunteers.models.Volunteer.Status",
        "VolunteerExitReasonEnum": "backend.volunteers.models.Volunteer.ExitReason",
        "ChildStatusEnum": "backend.children.models.Child.Status",
        "ChildCategoryEnum": "backend.children.models.Child.Category",
        # Children and volunteers share one gender choice set (the same values and labels).
        "GenderEnum": "backend.children.models.Child.Gender",
        "ChildExitReasonEnum": "backend.children.models.Child.ExitReason",
        "ConcernStatusEnum": "backend.children.models.Concern.Status",
        "ConcernCategoryEnum": "backend.children.models.Concern.Category",
        "ImportJobStatusEnum": "backend.children.models.ImportJob.Status",
        "PairingStatusEnum": "pairing.models.Pairing.Status",
        "PairingEndReasonEnum": "pairing.models.Pairing.EndReason",
        "PairingRunStatusEnum": "pairing.models.PairingRun.Status",
        "ProposalStatusEnum": "pairing.models.Proposal.Status",
        "MessageStatusEnum": "notifications.models.Message.Status",
        "ServiceEntryStatusEnum": "backend.records.models.ServiceEntry.Status",
        "ServiceEntrySourceEnum": "backend.records.models.ServiceEntry.Source",
        "NominationStatusEnum": "backend.records.models.Nomination.Status",
        "CertificateStatusEnum": "backend.records.models.Certificate.Status",
        "EvaluationGradeEnum": "backend.records.models.Evaluation.Grade",
    },
}

# --- personal data protection --------------------------------------------
# Key for ID-number encryption (Fernet, urlsafe base64 of 32 bytes) and the separate
# key for the keyed hash used to find duplicates. Rotate by listing the new key first.
_DEV_FIELD_KEY = "ZGV2LW9ubHktZmllbGQta2V5LW5ldmVyLWluLXByb2Q="
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[_DEV_FIELD_KEY] if DEBUG else [])
if not FIELD_ENCRYPTION_KEYS:
    raise ImproperlyConfigured(
        "FIELD_ENCRYPTION_KEYS is not set: production mode needs a Fernet key "
        "(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')."
    )
FIELD_HASH_KEY = env.str("FIELD_HASH_KEY", default="dev-only-hash-key" if DEBUG else "")
if not FIELD_HASH_KEY:
    raise ImproperlyConfigured("FIELD_HASH_KEY is not set: production mode needs a random secret.")

# --- Celery -----------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or "filesystem://"
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Longer than the longest task, so a slow task is not redelivered while running.
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    }
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_IGNORE_RESULT = CELERY_RESULT_BACKEND is None
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=300)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=360)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# A worker process keeps its database connection for this many tasks (then reconnects), rather
# than opening one per task; each task still checks it first (celery_app.db_connections_checked).
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=100)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "ops-heartbeat": {"task": "backend.ops.tasks.heartbeat_task", "schedule": 30.0},
    # The outbox: recover stuck rows, then enqueue due messages (notifications).
    "notifications-outbox-dispatch": {
        "task": "notifications.tasks.outbox_dispatch_task",
        "schedule": env.float("OUTBOX_DISPATCH_INTERVAL", default=15.0),
    },
    # Store the dashboard's per-village figures of villages whose records changed; from 22:00
    # also every village's next-day figures (the 30/90-day and overdue figures depend on the day).
    "dashboard-summary-refresh": {
        "task": "backend.dashboard.tasks.summary_refresh_task",
        "schedule": env.float("DASHBOARD_REFRESH_INTERVAL", default=60.0),
    },
    # Concerns not acknowledged in time: tell the county (then the city) through the outbox (issue 17).
    "children-concern-escalations": {
        "task": "backend.children.tasks.concern_escalations_dispatch_task",
        "schedule": env.float("CONCERN_ESCALATION_INTERVAL", default=60.0),
    },
    # Delete SMS verification codes (they hold mobile numbers) after a day (volunteers).
    "volunteers-phone-codes-purge": {"task": "backend.volunteers.tasks.phone_codes_purge_task", "schedule": 3600.0},
}
# Check-ins (issue 7): nightly due computation, hourly reminder pass, weekly county WeCom digest.
from celery.schedules import crontab  # noqa: E402

_checkins_at = datetime.time.fromisoformat(env.str("CHECKINS_NIGHTLY_AT", default="01:30"))
CELERY_BEAT_SCHEDULE |= {
    "checkins-due-nightly": {
        "task": "backend.checkins.tasks.due_nightly_task",
        "schedule": crontab(hour=_checkins_at.hour, minute=_checkins_at.minute),
    },
    # Check-ins made outside checkin_create (imports, fixes) reach the service record (backend/records).
    "records-entries-sync-nightly": {
        "task": "backend.records.tasks.service_entries_sync_task",
        "schedule": crontab(hour=2, minute=10),
    },
    "checkins-reminders-hourly": {
        "task": "backend.checkins.tasks.reminders_hourly_task",
        "schedule": crontab(minute=5),
    },
    "checkins-county-digest-weekly": {
        "task": "backend.checkins.tasks.county_digests_weekly_task",
        "schedule": crontab(hour=9, minute=0, day_of_week="mon"),
    },
    # A full recomputation (repairs anything the incremental nightly pass does not revisit).
    "checkins-due-full-weekly": {
        "task": "backend.checkins.tasks.due_full_refresh_task",
        "schedule": crontab(hour=3, minute=0, day_of_week="sun"),
    },
}

# Care activities (issue 20): waiting-list offers lapse and pass on; day-before reminders (outbox).
CELERY_BEAT_SCHEDULE |= {
    "activities-offers-expire": {
        "task": "backend.activities.tasks.offers_expire_task",
        "schedule": env.float("ACTIVITY_OFFERS_INTERVAL", default=300.0),
    },
    "activities-reminders-day-before": {
        "task": "backend.activities.tasks.reminders_day_before_task",
        "schedule": crontab(minute=15),
    },
}

# --- notifications ----------------------------------------------------------
# Which channel carries SMS: "local" (the local outbox, default), "twilio", "aliyun", "tencent",
# or a rule by number, e.g. "mainland:aliyun,other:twilio" (see notifications/channels/routing.py).
SMS_CHANNEL = env.str("SMS_CHANNEL", default="local")
# Aliyun SMS (dysmsapi 2017-05-25) and Tencent Cloud SMS (2021-01-11); endpoints are the vendors'
# hosts in production, a local stand-in (http://127.0.0.1:port) in tests and demos.
ALIYUN_SMS_ACCESS_KEY_ID = env.str("ALIYUN_SMS_ACCESS_KEY_ID", default="")
ALIYUN_SMS_ACCESS_KEY_SECRET = env.str("ALIYUN_SMS_ACCESS_KEY_SECRET", default="")
ALIYUN_SMS_SIGN_NAME = env.str("ALIYUN_SMS_SIGN_NAME", default="")
ALIYUN_SMS_ENDPOINT = env.str("ALIYUN_SMS_ENDPOINT", default="https://dysmsapi.aliyuncs.com")
ALIYUN_SMS_RECEIPT_IPS = env.list("ALIYUN_SMS_RECEIPT_IPS", default=[])
TENCENT_SMS_SECRET_ID = env.str("TENCENT_SMS_SECRET_ID", default="")
TENCENT_SMS_SECRET_KEY = env.str("TENCENT_SMS_SECRET_KEY", default="")
TENCENT_SMS_SDK_APP_ID = env.str("TENCENT_SMS_SDK_APP_ID", default="")
TENCENT_SMS_SIGN_NAME = env.str("TENCENT_SMS_SIGN_NAME", default="")
TENCENT_SMS_REGION = env.str("TENCENT_SMS_REGION", default="ap-guangzhou")
TENCENT_SMS_ENDPOINT = env.str("TENCENT_SMS_ENDPOINT", default="https://sms.tencentcloudapi.com")
TENCENT_SMS_RECEIPT_IPS = env.list("TENCENT_SMS_RECEIPT_IPS", default=[])
SMS_PROVIDER_TIMEOUT_SECONDS = env.float("SMS_PROVIDER_TIMEOUT_SECONDS", default=10.0)
# Approved template codes by provider and template name, e.g.
# {"aliyun": {"notifications.otp": "SMS_123456789"}}; rows in the admin (短信服务商模板) win.
SMS_PROVIDER_TEMPLATES = env.json("SMS_PROVIDER_TEMPLATES", default={})
TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env.str("TWILIO_AUTH_TOKEN", default="")
TWILIO_FROM_NUMBER = env.str("TWILIO_FROM_NUMBER", default="")
TWILIO_MESSAGING_SERVICE_SID = env.str("TWILIO_MESSAGING_SERVICE_SID", default="")
# Where the twilio client sends its requests; a local stand-in in tests and demos.
TWILIO_API_BASE_URL = env.str("TWILIO_API_BASE_URL", default="https://api.twilio.com")
WECHAT_APP_ID = env.str("WECHAT_APP_ID", default="")
WECHAT_APP_SECRET = env.str("WECHAT_APP_SECRET", default="")
WECHAT_API_BASE_URL = env.str("WECHAT_API_BASE_URL", default="https://api.weixin.qq.com")
WECHAT_TEMPLATE_ID_REMINDER = env.str("WECHAT_TEMPLATE_ID_REMINDER", default="")
WECOM_WEBHOOK_BASE_URL = env.str("WECOM_WEBHOOK_BASE_URL", default="https://qyapi.weixin.qq.com")
# Which channel carries WeChat / WeCom messages: "local" (the local outbox) or the real one.
WECHAT_CHANNEL = env.str("WECHAT_CHANNEL", default="wechat" if WECHAT_APP_ID else "local")
WECOM_CHANNEL = env.str("WECOM_CHANNEL", default="local")
WECHAT_OAUTH_BASE_URL = env.str("WECHAT_OAUTH_BASE_URL", default="https://open.weixin.qq.com")
WECHAT_TIMEOUT_SECONDS = env.float("WECHAT_TIMEOUT_SECONDS", default=10.0)
TWILIO_TIMEOUT_SECONDS = env.float("TWILIO_TIMEOUT_SECONDS", default=10.0)
WECOM_ROBOT_PER_MINUTE = env.int("WECOM_ROBOT_PER_MINUTE", default=20)
# Longest SMS accepted, in segments (a Chinese segment holds 67 characters in a long text).
SMS_MAX_SEGMENTS = env.int("SMS_MAX_SEGMENTS", default=5)
# Default quiet hours (Asia/Shanghai) for messages without a programme.
QUIET_HOURS = tuple(datetime.time.fromisoformat(t) for t in env.list("QUIET_HOURS", default=["21:00", "08:00"]))
# Per recipient and channel: at most N non-urgent messages per window (seconds).
OUTBOX_RATE_LIMIT = (env.int("OUTBOX_RATE_LIMIT_COUNT", default=5), env.int("OUTBOX_RATE_LIMIT_WINDOW", default=3600))
OUTBOX_DISPATCH_BATCH = env.int("OUTBOX_DISPATCH_BATCH", default=500)
# A batch send task claims at most this many due SMS of a batching provider (aliyun, tencent).
OUTBOX_SEND_BATCH = env.int("OUTBOX_SEND_BATCH", default=100)
# Batch tasks the dispatcher starts per batching provider while its rows are due; each hands on
# to a successor while its batch was full, so a few keep all worker processes busy.
OUTBOX_BATCH_TASKS = env.int("OUTBOX_BATCH_TASKS", default=2)
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=6)
OUTBOX_RETRY_BASE_SECONDS = env.int("OUTBOX_RETRY_BASE_SECONDS", default=30)
OUTBOX_RETRY_MAX_SECONDS = env.int("OUTBOX_RETRY_MAX_SECONDS", default=3600)
# Rows in queued/sending longer than this are recovered (sending: longer than CELERY_TASK_TIME_LIMIT).
OUTBOX_QUEUED_STUCK_SECONDS = env.int("OUTBOX_QUEUED_STUCK_SECONDS", default=600)
OUTBOX_SENDING_STUCK_SECONDS = env.int("OUTBOX_SENDING_STUCK_SECONDS", default=900)
# Dotted paths of extra handlers for inbound SMS (see notifications/inbound.py).
NOTIFICATIONS_INBOUND_SMS_HANDLERS = env.list("NOTIFICATIONS_INBOUND_SMS_HANDLERS", default=[])

# --- logging ----------------------------------------------------------------
LOG_FORMAT = env.str("LOG_FORMAT", default="console" if DEBUG else "json")
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(process)d",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "console": {"format": "%(asctime)s %(levelname)-7s %(name)s: %(message)s"},
    },
    "handlers": {"default": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["default"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

# --- security (production) ----------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # /healthz is probed over plain HTTP by load balancers.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
