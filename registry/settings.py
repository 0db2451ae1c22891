"""Settings of the partner-plan registry, read from the environment (django-environ).

Defaults give the embedded set-up of `make run`: SQLite under var/, tasks run in-process, e-mail
written to files. Production values come from the environment; `check --deploy` passes with them.
"""

from datetime import date, datetime, timedelta
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# A development key is only acceptable when DEBUG is on; production must provide its own.
SECRET_KEY = env("SECRET_KEY", default="") or ("dev-only-insecure-key" if DEBUG else "")
if not SECRET_KEY:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
# The name account mail uses for the site (the Sites record follows it and SITE_URL after each migrate).
SITE_NAME = env("SITE_NAME", default="北京AI伙伴计划登记系统")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sites",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "import_export",
    "simple_history",
    "axes",
    "phonenumber_field",
    "django.contrib.postgres",
    "partners",
]

MIDDLEWARE = [
    "partners.request_id.RequestIdMiddleware",
    # Next to outermost (only the request id is before it, so its 400s carry one too): a NUL or lone
    # surrogate anywhere in the request is a 400 before anything reads it.
    "partners.hygiene.InputHygieneMiddleware",
    "registry.health.ProbeMiddleware",  # /health/ and /health/live/ answer probes on any host, over plain HTTP
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "partners.replica_middleware.ReplicaMiddleware",  # only with DATABASE_REPLICA_URLS: public reads to replicas
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "partners.middleware.ComplianceMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "registry.urls"
WSGI_APPLICATION = "registry.wsgi.application"
ASGI_APPLICATION = "registry.asgi.application"
SITE_ID = 1

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
                "django.template.context_processors.i18n",
                "partners.context_processors.registry",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'registry.sqlite3'}")}
_db = DATABASES["default"]
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers proceed while one writer works; the timeout waits out short write locks.
    _db["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    _db["ENGINE"] = "django.db.backends.postgresql"
    # The pool and persistent connections are alternatives; the benchmark under bench/ decides.
    if env.bool("DB_POOL", default=False):
        _db["OPTIONS"] = {"pool": {"min_size": 2, "max_size": env.int("DB_POOL_MAX", default=8)}}
    else:
        _db["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
        _db["CONN_HEALTH_CHECKS"] = True
IS_POSTGRES = _db["ENGINE"] == "django.db.backends.postgresql"
# Read replicas (PostgreSQL streaming replicas of the primary), comma-separated URLs; empty: everything reads the
# primary, as before. Anonymous and other public reads go to a replica that is within REPLICA_MAX_LAG_SECONDS,
# writes and transactions to the primary, and a person who wrote reads the primary for READ_YOUR_WRITES_SECONDS
# (partners/db_router.py, docs/OPERATIONS.md "Read replicas").
DATABASE_REPLICA_URLS = env.list("DATABASE_REPLICA_URLS", default=[])
REPLICA_MAX_LAG_SECONDS = env.float("REPLICA_MAX_LAG_SECONDS", default=3.0)
REPLICA_CHECK_SECONDS = env.float("REPLICA_CHECK_SECONDS", default=1.0)  # how long a lag measure is trusted
REPLICA_RETRY_SECONDS = env.float("REPLICA_RETRY_SECONDS", default=5.0)  # an unreachable replica rests this long
REPLICA_CONNECT_TIMEOUT = env.int("REPLICA_CONNECT_TIMEOUT", default=2)  # libpq's minimum is 2 s
# Never shorter than the staleness a replica may have (lag bound plus one check), or a writer could miss a write.
READ_YOUR_WRITES_SECONDS = max(env.float("READ_YOUR_WRITES_SECONDS", default=10.0),
                               REPLICA_MAX_LAG_SECONDS + REPLICA_CHECK_SECONDS + 1)
for _number, _url in enumerate(DATABASE_REPLICA_URLS, start=1):
    if not IS_POSTGRES:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("DATABASE_REPLICA_URLS needs PostgreSQL as the primary (DATABASE_URL).")
    _replica = {**{k: v for k, v in _db.items() if k not in ("NAME", "USER", "PASSWORD", "HOST", "PORT")},
                **{k: v for k, v in env.db_url_config(_url).items() if k in ("NAME", "USER", "PASSWORD", "HOST",
                                                                              "PORT")}}
    _options = dict(_db.get("OPTIONS", {}))
    if "pool" in _options:  # a replica that is down must not keep a request waiting for the pool's 30 s
        _options["pool"] = {**_options["pool"], "timeout": REPLICA_CONNECT_TIMEOUT}
    _replica["OPTIONS"] = {**_options, "connect_timeout": REPLICA_CONNECT_TIMEOUT}
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica{_number}"] = _replica
DATABASE_ROUTERS = ["partners.db_router.ReplicaRouter"] if DATABASE_REPLICA_URLS else []
# The login role the application serves with (no TRUNCATE, ALTER, UPDATE or DELETE on the audit trails);
# migrations run as the owner, which grants it after each migration (`manage.py db_roles` creates it).
DATABASE_APP_ROLE = env("DATABASE_APP_ROLE", default="registry_app")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "partners.User"

# --- Cache ----------------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
# Short timeouts and a breaker: a Redis that is down or hung costs a fraction of a second, then the cache degrades
# (registry/redis_cache.py, docs/OPERATIONS.md, "Redis"). "default" falls back to a per-process cache (rate limits stay
# limits); "shared" (sessions, cached settings, the response cache) falls back to the database.
REDIS_SOCKET_TIMEOUT = env.float("REDIS_SOCKET_TIMEOUT", default=0.3)
REDIS_RETRY_SECONDS = env.float("REDIS_RETRY_SECONDS", default=2.0)
if REDIS_URL:
    _redis_options = {"socket_timeout": REDIS_SOCKET_TIMEOUT, "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
                      "RETRY_SECONDS": REDIS_RETRY_SECONDS}
    CACHES = {
        "default": {"BACKEND": "registry.redis_cache.RedisCache", "LOCATION": REDIS_URL,
                    "OPTIONS": {**_redis_options, "FALLBACK": "local"}},
        "shared": {"BACKEND": "registry.redis_cache.RedisCache", "LOCATION": REDIS_URL,
                   "OPTIONS": {**_redis_options, "FALLBACK": "none"}},
    }
else:
    # One LOCATION: both aliases are the same per-process store.
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "registry"},
        "shared": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "registry"},
    }
# Public member pages and API reads cached per generation (partners/services/cache.py); the generation
# must be shared by every process, so this is on by default only with Redis.
PUBLIC_RESPONSE_CACHE = env.bool("PUBLIC_RESPONSE_CACHE", default=bool(REDIS_URL))
# The unfiltered member lists and name searches (the response cache's "all" scope, which every member write
# renews) may be answered from a copy built at most this many seconds ago while their new version is built:
# stale-while-revalidate with a bound. Member pages, member details and filtered lists are never stale. 0 = off.
PUBLIC_LIST_STALE_SECONDS = env.float("PUBLIC_LIST_STALE_SECONDS", default=3.0)
if not 0 <= PUBLIC_LIST_STALE_SECONDS <= 30:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("PUBLIC_LIST_STALE_SECONDS must be between 0 and 30 seconds.")

# --- Authentication -------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
     "OPTIONS": {"user_attributes": ("email", "display_name")}},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "partners.validators.PasswordComplexityValidator"},
    {"NAME": "partners.services.security.PasswordHistoryValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "public:home"

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip",  # per name: growing delays (LOGIN_DELAY_*), not a fixed lock anyone can set
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[北京AI伙伴计划] "
ACCOUNT_ADAPTER = "partners.account_adapter.AccountAdapter"  # account mail goes through the outbox
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
ACCOUNT_SIGNUP_FORM_CLASS = "partners.forms.signup.SignupForm"  # the privacy-notice consent
ACCOUNT_FORMS = {"login": "partners.forms.login.LoginForm"}  # warns how many attempts are left

AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=30))
# Lock a name only from the address that failed: a lock by name alone let anyone lock out anybody (the
# security administrator included). Guessing one name from many addresses meets growing delays instead
# (LOGIN_DELAY_*, partners.services.login_delay); an office behind one NAT address shares only its own lock.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "partners.axes_handler.AuditedAxesHandler"  # unlocks, from the web or axes_reset*, are audited
# Delays start once a name has failed more often than one address may (so one address meets its lock first).
LOGIN_DELAY_FREE_FAILURES = env.int("LOGIN_DELAY_FREE_FAILURES", default=AXES_FAILURE_LIMIT)
LOGIN_DELAY_BASE_SECONDS = env.int("LOGIN_DELAY_BASE_SECONDS", default=2)
LOGIN_DELAY_MAX_SECONDS = env.int("LOGIN_DELAY_MAX_SECONDS", default=300)
LOGIN_DELAY_FORGET_SECONDS = env.int("LOGIN_DELAY_FORGET_SECONDS", default=3600)
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_USERNAME_FORM_FIELD = "login"
# allauth passes `email`, the admin `username`: one callable reads whichever the login form sent.
AXES_USERNAME_CALLABLE = "partners.guards.login_username"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_LOCKOUT_CALLABLE = "partners.views.compliance.locked_out"

# --- Graded protection (等保 level 3) and personal information (PIPL): see docs/COMPLIANCE.md ----------
# The gates are on by default; registry/settings_test.py turns off the four that would make every test
# set up MFA, split duties, renew passwords and accept the notice; the compliance tests turn them on.
MFA_REQUIRED_FOR_STAFF = env.bool("MFA_REQUIRED_FOR_STAFF", default=True)
SPLIT_DUTIES_REQUIRED = env.bool("SPLIT_DUTIES_REQUIRED", default=True)
PASSWORD_EXPIRY_ENFORCED = env.bool("PASSWORD_EXPIRY_ENFORCED", default=True)
PRIVACY_CONSENT_REQUIRED = env.bool("PRIVACY_CONSENT_REQUIRED", default=True)
STAFF_SINGLE_SESSION = env.bool("STAFF_SINGLE_SESSION", default=True)
# Defaults below can be overridden at run time by the system administrator (partners.SecuritySetting).
STAFF_PASSWORD_EXPIRY_DAYS = env.int("STAFF_PASSWORD_EXPIRY_DAYS", default=90)
STAFF_PASSWORD_HISTORY = env.int("STAFF_PASSWORD_HISTORY", default=5)
SESSION_IDLE_MINUTES_STAFF = env.int("SESSION_IDLE_MINUTES_STAFF", default=30)
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=120)
SECURITY_LOG_RETENTION_DAYS = env.int("SECURITY_LOG_RETENTION_DAYS", default=180)  # never below 180
ATTACHMENT_RETENTION_DAYS = env.int("ATTACHMENT_RETENTION_DAYS", default=3 * 365)

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "partners" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files --------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and env.bool("MANIFEST_STATIC", default=True)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Uploads live outside the web root and are served only through a permission-checked view.
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "uploads")))
MEDIA_URL = "/_never_served_directly/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
# Images are decoded whole to check them: 40 million pixels (a 7,300 × 5,500 photo) bounds the memory it takes.
ATTACHMENT_MAX_PIXELS = env.int("ATTACHMENT_MAX_PIXELS", default=40_000_000)
# Backup manifests are signed with this key (HMAC-SHA256) and restores check it; without it a key derived from
# SECRET_KEY signs, and rotating SECRET_KEY would then make older backups unrestorable (docs/OPERATIONS.md).
BACKUP_SIGNING_KEY = env("BACKUP_SIGNING_KEY", default="")

# --- E-mail ---------------------------------------------------------------------------------
if env("EMAIL_URL", default=""):
    vars().update(env.email("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="北京AI伙伴计划 <noreply@partner-plan.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
# Without a broker tasks run in-process, so `make run` needs nothing else running.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A publish to a broker that is down or hung gives up within about a second; the outbox row stays pending and
# the sweep queues it again (partners/services/notifications.py).
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2,
                                   "socket_timeout": REDIS_SOCKET_TIMEOUT,
                                   "socket_connect_timeout": REDIS_SOCKET_TIMEOUT}
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_SOCKET_TIMEOUT
CELERY_TIMEZONE = TIME_ZONE
# Queues by kind of work, each with workers of its own in docker-compose.yml, so a slow kind cannot starve another:
# a hung webhook receiver or a long report never delays an e-mail. "reports" takes the periodic jobs that read
# across the registry (digests, reminders), "imports" bulk loads; everything else is "default". A worker started
# without -Q consumes them all (the embedded and test set-ups); docs/OPERATIONS.md, "Task queues".
TASK_QUEUE_NAMES = ("default", "mail", "webhooks", "reports", "imports")
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES = {name: {"exchange": name, "routing_key": name} for name in TASK_QUEUE_NAMES}
CELERY_TASK_ROUTES = {
    "partners.tasks.send_notification": {"queue": "mail"},
    "partners.tasks.send_webhook": {"queue": "webhooks"},
    "partners.tasks.send_digests": {"queue": "reports"},
    "partners.tasks.send_reminders": {"queue": "reports"},
    "partners.tasks_reports.*": {"queue": "reports"},
    "partners.tasks_imports.*": {"queue": "imports"},
    "partners.tasks_members.import_roster": {"queue": "imports"},
    "partners.tasks_members.*": {"queue": "reports"},
}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# --- REST framework -------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "partners.api.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "partners.api.filters.DocumentedSearchFilter",
        "partners.api.filters.StrictOrderingFilter",
    ],
    # JSON bodies are checked for depth, NUL and lone surrogates (docs/SECURITY.md, input hygiene).
    "DEFAULT_PARSER_CLASSES": [
        "partners.api.parsers.StrictJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "partners.api.pagination.RegistryCursorPagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "partners.api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "partners.api.throttling.KeyRateThrottle",
        "partners.api.throttling.AnonymousRateThrottle",
    ],
    # Client addresses for throttling come from REMOTE_ADDR unless a known number of proxies stands in front:
    # otherwise anyone could dodge the limits with a forged X-Forwarded-For header.
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_ANON_RATE", default="120/min"),
        "key": env("API_KEY_RATE", default="1200/min"),
        "objection": env("OBJECTION_RATE", default="5/hour"),
    },
}
# Integer ids in API URLs answer, marked deprecated (Deprecation, Sunset, Link headers), until the sunset date;
# from then on they answer 410 and only public ids (UUIDs) address resources (partners/api/public_ids.py).
API_INTEGER_IDS_DEPRECATED_AT = date.fromisoformat(env("API_INTEGER_IDS_DEPRECATED_AT", default="2026-12-07"))
API_INTEGER_IDS_SUNSET = date.fromisoformat(env("API_INTEGER_IDS_SUNSET", default="2027-06-30"))
SPECTACULAR_SETTINGS = {
    "TITLE": "Partner-plan registry API",
    "DESCRIPTION": "北京市通用人工智能产业创新伙伴计划 registry: members, applications, review, webhooks. "
                   "The guide to keys, the workflow, sync, webhooks, idempotency, optimistic concurrency and "
                   "errors is docs/API.md. 伙伴计划登记系统接口：成员、申报、审核、事件与推送。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {"PartnerTypeEnum": "partners.enums.PartnerType",
                            "ApplicationStateEnum": "partners.enums.ApplicationState",
                            "EventTypeEnum": "partners.event_types.event_types",
                            "EventStateEnum": "partners.event_types.EVENT_STATES",
                            "WorkflowActionEnum": "partners.workflow.ACTIONS",
                            "DecisionPerTypeEnum": "partners.api.serializers.DECISION_PER_TYPE",
                            "VerificationStateEnum": "partners.enums.VerificationState",
                            "VerificationKindEnum": "partners.enums.VerificationKind",
                            "VerificationActionEnum": "partners.workflow.VERIFICATION.actions",
                            "MemberRequestStateEnum": "partners.enums.MemberRequestState",
                            "MemberRequestKindEnum": "partners.enums.MemberRequestKind",
                            "OrgVerificationEnum": "partners.enums.OrgVerification",
                            "AttachmentKindEnum": "partners.models.application.AttachmentKind",
                            "CaseKindEnum": "partners.enums.CaseKind",
                            "CaseStateEnum": "partners.enums.CaseState",
                            "PairingStateEnum": "partners.enums.PairingState",
                            "PairingSideEnum": "partners.enums.PairingSide",
                            "PairingOutcomeEnum": "partners.enums.PairingOutcome",
                            "SubsidyClaimStateEnum": "partners.enums.SubsidyClaimState",
                            "ModerationEnum": "partners.enums.Moderation",
                            "IntroductionStateEnum": "partners.enums.IntroductionState",
                            "ExpertAssignmentStateEnum": "partners.enums.ExpertAssignmentState"},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "partners.api.schema.document_errors",
        "partners.api.schema_docs.describe_api",
    ],
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Security -------------------------------------------------------------------------------
ADMIN_URL = env("ADMIN_URL", default="admin/")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
# With a shared cache, sessions are read from it and written through to the database: one query less on every
# signed-in page, and a cache restart loses no session.
if REDIS_URL:
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    SESSION_CACHE_ALIAS = "shared"  # with Redis down, sessions are read from the database alone
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# --- The plan's own settings ----------------------------------------------------------------
PUBLICITY_DAYS = env.int("PUBLICITY_DAYS", default=7)
# Organisation verification: one staff member checks the documents, another verifies (four eyes).
VERIFICATION_FOUR_EYES = env.bool("VERIFICATION_FOUR_EYES", default=True)
# Standing (confirmed) pairings of user units with model teams are listed on both members' public pages.
PAIRINGS_PUBLIC = env.bool("PAIRINGS_PUBLIC", default=True)
# Data sets and demands wait for a member of staff before they are public; off, they are public at once.
CATALOGUE_MODERATION = env.bool("CATALOGUE_MODERATION", default=True)
# Who may apply by where the credit code was issued: beijing_only, beijing_entity (outside Beijing only with an
# operating entity in Beijing named by its own code) or anywhere; see partners/services/eligibility.py.
PLAN_ELIGIBILITY = env.str("PLAN_ELIGIBILITY", default="beijing_entity")
if PLAN_ELIGIBILITY not in ("beijing_only", "beijing_entity", "anywhere"):
    # A misspelt rule must stop the start, not quietly apply another policy.
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("PLAN_ELIGIBILITY must be beijing_only, beijing_entity or anywhere.")
# Who the public may ask about the public notice and objections (shown on the notice pages).
PLAN_OFFICE_CONTACT = env("PLAN_OFFICE_CONTACT", default="北京市通用人工智能产业创新伙伴计划办公室 · 010-12345678")
# A virus scanner for uploads: a dotted path to a callable(file) -> None or the name of what it found.
UPLOAD_SCANNER = env("UPLOAD_SCANNER", default="")
MEMBER_NUMBER_PREFIX = env("MEMBER_NUMBER_PREFIX", default="BJAI")
REVIEW_SLA_DAYS = env.int("REVIEW_SLA_DAYS", default=10)
OUTBOX_SWEEP_AFTER = timedelta(minutes=env.int("OUTBOX_SWEEP_MINUTES", default=5))
# Seconds to wait after each failed try (4xx reply, network error); after the last wait one more try, then
# the row is failed and staff are alerted. The default spans 25.9 hours, so a mail server down over a
# night and a day loses nothing.
OUTBOX_RETRY_SCHEDULE = env.list("OUTBOX_RETRY_SCHEDULE", cast=float,
                                 default=[60, 300, 900, 1800, 3600, 7200, 14400, 21600, 21600, 21600])
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)  # a hung mail server must not hold a worker forever
# How long a worker's claim on a row it is sending holds; past it the worker is presumed dead and the row is
# sent again (same Message-ID). Longer than a send can take: a reconnect and two timeouts.
OUTBOX_SEND_LEASE_SECONDS = env.float("OUTBOX_SEND_LEASE_SECONDS", default=max(120, 4 * EMAIL_TIMEOUT))
REMINDER_UNASSIGNED_DAYS = env.int("REMINDER_UNASSIGNED_DAYS", default=3)
REMINDER_UNDECIDED_DAYS = env.int("REMINDER_UNDECIDED_DAYS", default=5)
REMINDER_ESCALATE_DAYS = env.int("REMINDER_ESCALATE_DAYS", default=REVIEW_SLA_DAYS)
REMINDER_DRAFT_DAYS = env.int("REMINDER_DRAFT_DAYS", default=14)
# Experts whose scores are not in are reminded once, this many days before their panel's deadline.
PANEL_REMINDER_DAYS = env.int("PANEL_REMINDER_DAYS", default=2)
if not 1 <= PANEL_REMINDER_DAYS <= 30:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("PANEL_REMINDER_DAYS must be between 1 and 30 days.")
SHOW_MESSAGES_ON_SCREEN = env.bool("SHOW_MESSAGES_ON_SCREEN", default=DEBUG)
# Each readiness check of /health/ (cache, broker) gives up after this long: a hung dependency fails the probe.
HEALTH_TIMEOUT_SECONDS = env.float("HEALTH_TIMEOUT_SECONDS", default=2.0)

# --- Trust boundaries (docs/SECURITY.md) -----------------------------------------------------
# Webhooks go only to public addresses; installations whose receivers are internal list those networks
# (CIDR, comma-separated). Off by default. Receivers in a listed network may also use plain http.
WEBHOOK_ALLOWED_NETWORKS = env.list("WEBHOOK_ALLOWED_NETWORKS", default=[])
WEBHOOK_REQUIRE_HTTPS = env.bool("WEBHOOK_REQUIRE_HTTPS", default=not DEBUG)
# An egress proxy for webhooks, e.g. "http://proxy:3128"; it then resolves and connects, so it should filter.
WEBHOOK_PROXIES = {s: env("WEBHOOK_PROXY") for s in ("http", "https")} if env("WEBHOOK_PROXY", default="") else {}
WEBHOOK_SECRET_GRACE_HOURS = env.int("WEBHOOK_SECRET_GRACE_HOURS", default=24)
# Second-factor secrets are encrypted at rest with these Fernet keys (comma-separated; the first encrypts).
# Production must set it (`check --deploy` says so); only DEBUG derives one from SECRET_KEY.
FIELD_ENCRYPTION_KEY = env("FIELD_ENCRYPTION_KEY", default="")
if not FIELD_ENCRYPTION_KEY and DEBUG:
    import base64
    import hashlib

    # The same derivation as partners.crypto.key_from_secret (settings import no app code).
    FIELD_ENCRYPTION_KEY = base64.urlsafe_b64encode(
        hashlib.sha256(b"registry field encryption:" + SECRET_KEY.encode()).digest()).decode()
MFA_ADAPTER = "partners.mfa.RegistryMFAAdapter"
# Staff API keys expire after at most this many days (never more than 90; the setting can only lower it).
STAFF_API_KEY_MAX_DAYS = env.int("STAFF_API_KEY_MAX_DAYS", default=90)

# --- Serving the members (docs/OPERATIONS.md) -----------------------------------------------------------
# A member not contacted for this many days is announced to its officers (once per stretch without contact).
MEMBER_CONTACT_INTERVAL_DAYS = env.int("MEMBER_CONTACT_INTERVAL_DAYS", default=90)
# Days a member request may stay open before the periodic job escalates it to the administrators.
MEMBER_REQUEST_SLA_DAYS = env.int("MEMBER_REQUEST_SLA_DAYS", default=15)
# The day of the year (MM-DD, Beijing time) the annual update is asked; then reminders, then escalation.
ANNUAL_UPDATE_DATE = env.str("ANNUAL_UPDATE_DATE", default="03-01")
try:  # a misspelt day must stop the start, not silently never ask
    datetime.strptime(f"2024-{ANNUAL_UPDATE_DATE}", "%Y-%m-%d")
except ValueError:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("ANNUAL_UPDATE_DATE must be a day of the year as MM-DD, e.g. 03-01.") from None
ANNUAL_UPDATE_REMIND_DAYS = env.int("ANNUAL_UPDATE_REMIND_DAYS", default=14)
ANNUAL_UPDATE_ESCALATE_DAYS = env.int("ANNUAL_UPDATE_ESCALATE_DAYS", default=30)
# A revoked membership stays in the public list of revocations for this many days after its revocation.
# The office dashboard's median days in each state is worked out at most this often (it reads the middle of each
# state's index, which grows with the applications: 160 ms at 1,800,000); the page says when. 0 = on every view.
DASHBOARD_MEDIAN_SECONDS = env.int("DASHBOARD_MEDIAN_SECONDS", default=600)
if not 0 <= DASHBOARD_MEDIAN_SECONDS <= 86400:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("DASHBOARD_MEDIAN_SECONDS must be between 0 and 86400 seconds.")
REVOCATION_PUBLIC_DAYS = env.int("REVOCATION_PUBLIC_DAYS", default=365)
if not 1 <= REVOCATION_PUBLIC_DAYS <= 3650:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("REVOCATION_PUBLIC_DAYS must be between 1 and 3650 days.")
# Roster files with more rows than this are imported by a background task, with a progress bar.
ROSTER_IMPORT_INLINE_ROWS = env.int("ROSTER_IMPORT_INLINE_ROWS", default=200)
# Public facts a member's change puts live at once; changes to the other public facts wait for a staff check.
# The organisation's facts by name ("website"), a partner type's by "<type>.<field>" ("compute.capacity_pflops_fp16").
PROFILE_LIVE_FIELDS = env.list("PROFILE_LIVE_FIELDS", default=["website"])

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "partners.request_id.RequestIdFilter"}},
    "formatters": {"with_request": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request_id"],
                             "formatter": "with_request"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
