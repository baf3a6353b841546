"""Configuration classes, read from the environment.

`QIAO_CONFIG` picks the class (development, testing, production). Every setting
that differs between deployments comes from an environment variable; the README
lists them all.
"""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


class ConfigurationError(RuntimeError):
    """Raised at start-up when the configuration is unsafe or incomplete."""


def database_url(raw: str) -> str:
    """`postgresql://` (or Heroku's `postgres://`) as the psycopg 3 driver URL SQLAlchemy needs.

    Hosts hand out the bare form; SQLAlchemy reads it as psycopg2, which is not installed.
    """
    for prefix in ("postgresql://", "postgres://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw.removeprefix(prefix)
    return raw


class Config:
    """Settings shared by every environment."""

    ENV_NAME = "base"
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'qiao.db'}"
    ))
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    # Sessions and cookies.
    SESSION_COOKIE_NAME = "qiao_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_NAME = "qiao_remember"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    REMEMBER_COOKIE_DURATION = _int("REMEMBER_DAYS", 30) * 86400
    PERMANENT_SESSION_LIFETIME = _int("SESSION_HOURS", 12) * 3600

    # Request bodies: 25 MiB for forms and product images; the API caps JSON lower. Note
    # uploads (up to 9 images of 20 MB each) get their own, larger allowance.
    MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 25 * 1024 * 1024)
    NOTE_UPLOAD_MAX_BYTES = _int("NOTE_UPLOAD_MAX_BYTES", 185 * 1024 * 1024)
    API_MAX_JSON_BYTES = _int("API_MAX_JSON_BYTES", 1024 * 1024)

    WTF_CSRF_TIME_LIMIT = None  # tied to the session instead of a clock

    # Internationalisation.
    LANGUAGES = {"en": "English", "zh": "中文"}
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    DEFAULT_CURRENCY = os.environ.get("DEFAULT_CURRENCY", "USD")
    DEFAULT_SHIP_TO_COUNTRY = os.environ.get("DEFAULT_SHIP_TO_COUNTRY", "US")

    # Rate limits (Flask-Limiter); Redis in production.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    # Log-in throttling (app/services/accounts/throttle.py): failures lock one account and
    # client pair (the browser's device cookie, else the address) for growing delays; an
    # account is never locked for a browser it logged in from before, so a guesser cannot
    # lock its owner out.
    LOGIN_FAILURES_BEFORE_LOCK = _int("LOGIN_FAILURES_BEFORE_LOCK", 5)
    LOGIN_FAILURE_WINDOW = _int("LOGIN_FAILURE_WINDOW_SECONDS", 15 * 60)
    LOGIN_LOCK_SECONDS = _int("LOGIN_LOCK_SECONDS", 60)  # the first lock; each next doubles
    LOGIN_LOCK_MAX_SECONDS = _int("LOGIN_LOCK_MAX_SECONDS", 60 * 60)
    LOGIN_LOCK_MEMORY = 24 * 3600  # a pair's locks stop growing after a quiet day
    # Failures from one address across all accounts; over it each failure locks its pair
    # at once. It never refuses a correct password.
    LOGIN_LIMIT_PER_IP = os.environ.get("LOGIN_LIMIT_PER_IP", "50 per 15 minutes")
    # Failures against one account from clients it does not know (a guess spread over many
    # addresses), per LOGIN_FAILURE_WINDOW; over it the account is locked, with growing
    # delays, for every client but the browsers it logged in from before.
    LOGIN_FAILURES_PER_ACCOUNT = _int("LOGIN_FAILURES_PER_ACCOUNT", 20)
    # The signed cookie marking a browser that logged in to an account before.
    LOGIN_DEVICE_COOKIE_NAME = "qiao_device"
    LOGIN_DEVICE_MAX_AGE = _int("LOGIN_DEVICE_DAYS", 365) * 86400
    # Reverse proxies in front of the app whose X-Forwarded-For/-Proto are trusted; without
    # this, every visitor shares the proxy's address and the per-IP limits hit them all.
    TRUSTED_PROXIES = _int("TRUSTED_PROXIES", 0)

    # Background jobs: with no broker Celery runs tasks in-process, after commit.
    CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
    CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", "")

    # Outgoing e-mail: console (log) or smtp.
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "console")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "Qiao <no-reply@qiao.local>")
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = _int("MAIL_PORT", 587)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", True)

    # Links in e-mails need an absolute base when sent outside a request.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")

    # Token lifetimes, in seconds.
    EMAIL_VERIFY_MAX_AGE = _int("EMAIL_VERIFY_MAX_AGE", 3 * 86400)
    PASSWORD_RESET_MAX_AGE = _int("PASSWORD_RESET_MAX_AGE", 3600)
    INVITATION_MAX_AGE_DAYS = _int("INVITATION_MAX_AGE_DAYS", 14)
    API_TOKEN_LOGIN_DAYS = _int("API_TOKEN_LOGIN_DAYS", 30)
    # A token's last_used_at is written at most this often, so API reads seldom write.
    API_TOKEN_TOUCH_MINUTES = _int("API_TOKEN_TOUCH_MINUTES", 5)

    # SQLite: how long a writer waits for the write lock before the request answers 503.
    SQLITE_BUSY_TIMEOUT_SECONDS = _int("SQLITE_BUSY_TIMEOUT_SECONDS", 10)
    # The Retry-After of a 503 database_busy (a lock timeout or a serialisation failure).
    DATABASE_BUSY_RETRY_AFTER = _int("DATABASE_BUSY_RETRY_AFTER", 2)
    # PostgreSQL: how long a statement waits for a lock before the request answers 503.
    POSTGRES_LOCK_TIMEOUT_SECONDS = _int("POSTGRES_LOCK_TIMEOUT_SECONDS", 10)

    # Media (avatars now; note and product images later).
    MEDIA_ROOT = os.environ.get("MEDIA_ROOT", str(INSTANCE_DIR / "media"))

    # Foreign exchange: rates older than this refuse checkout in that currency.
    FX_MAX_AGE_HOURS = _int("FX_MAX_AGE_HOURS", 96)
    # Added to the mid-market rate on every conversion, in percent (a decimal string).
    FX_CONVERSION_FEE_PERCENT = os.environ.get("FX_CONVERSION_FEE_PERCENT", "1.5")
    # Per-currency rounding increments in minor units after conversion, e.g. "KRW:10".
    FX_ROUNDING = os.environ.get("FX_ROUNDING", "KRW:10")
    # How long a checkout quote holds its prices, exchange rate and reserved stock.
    QUOTE_TTL_MINUTES = _int("QUOTE_TTL_MINUTES", 15)
    # Where `flask fx import` and the admin page download rates from (app.providers.fx_rates).
    FX_RATE_SOURCE = os.environ.get("FX_RATE_SOURCE", "ecb")
    ECB_RATES_URL = os.environ.get(
        "ECB_RATES_URL", "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml"
    )

    # Stripe: no key means the local sandbox (localstripe on loopback).
    STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
    STRIPE_PUBLISHABLE_KEY = os.environ.get("STRIPE_PUBLISHABLE_KEY", "")
    STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
    # Where the sandbox (localstripe) listens when STRIPE_SECRET_KEY is empty.
    STRIPE_SANDBOX_URL = os.environ.get("STRIPE_SANDBOX_URL", "http://127.0.0.1:8420")
    # The currency of the Stripe account's payout bank account: charges in other currencies
    # must still meet its minimum charge after conversion.
    STRIPE_SETTLEMENT_CURRENCY = os.environ.get("STRIPE_SETTLEMENT_CURRENCY", "USD")
    # The platform's commission on each order's items and shipping, in percent (decimal string).
    PLATFORM_COMMISSION_PERCENT = os.environ.get("PLATFORM_COMMISSION_PERCENT", "8")
    # How long a started payment keeps the quote's stock reserved, in minutes.
    PAYMENT_HOLD_MINUTES = _int("PAYMENT_HOLD_MINUTES", 30)

    # Customs documents. ECB publishes no SDR rate, so a CN22's 300 SDR limit is checked in
    # USD with this rate (a decimal string): the IMF's US dollars per SDR, to be refreshed
    # from https://www.imf.org/external/np/fin/data/rms_sdrv.aspx now and then.
    CUSTOMS_USD_PER_SDR = os.environ.get("CUSTOMS_USD_PER_SDR", "1.36")
    # The platform's tax registrations, printed on the documents of parcels whose import tax
    # it collected at checkout: IOSS (EU), UK VAT and Australian GST (ARN). Empty: not printed.
    PLATFORM_IOSS_NUMBER = os.environ.get("PLATFORM_IOSS_NUMBER", "")
    PLATFORM_UK_VAT_NUMBER = os.environ.get("PLATFORM_UK_VAT_NUMBER", "")
    PLATFORM_AU_GST_NUMBER = os.environ.get("PLATFORM_AU_GST_NUMBER", "")

    # Moderation: abuse controls and escalation (app.services.social.abuse and
    # app.services.moderation.decisions).
    # Accounts younger than this many days may post only a few links and @mentions a day.
    MODERATION_NEW_ACCOUNT_DAYS = int(os.environ.get("MODERATION_NEW_ACCOUNT_DAYS", "7"))
    MODERATION_NEW_ACCOUNT_LINKS_PER_DAY = int(
        os.environ.get("MODERATION_NEW_ACCOUNT_LINKS_PER_DAY", "3"))
    MODERATION_NEW_ACCOUNT_MENTIONS_PER_DAY = int(
        os.environ.get("MODERATION_NEW_ACCOUNT_MENTIONS_PER_DAY", "5"))
    # Removals within the window that restrict posting, then suspend the account.
    MODERATION_REMOVAL_WINDOW_DAYS = int(os.environ.get("MODERATION_REMOVAL_WINDOW_DAYS", "30"))
    MODERATION_RESTRICT_AFTER_REMOVALS = int(
        os.environ.get("MODERATION_RESTRICT_AFTER_REMOVALS", "3"))
    MODERATION_RESTRICT_DAYS = int(os.environ.get("MODERATION_RESTRICT_DAYS", "7"))
    MODERATION_SUSPEND_AFTER_REMOVALS = int(
        os.environ.get("MODERATION_SUSPEND_AFTER_REMOVALS", "5"))
    MODERATION_SUSPEND_DAYS = int(os.environ.get("MODERATION_SUSPEND_DAYS", "30"))
    # Queue page size.
    MODERATION_QUEUE_PAGE_SIZE = int(os.environ.get("MODERATION_QUEUE_PAGE_SIZE", "25"))

    # Notes and the feed.
    # Share of each Discover page (0 to 1) taken from other languages and regions than the
    # viewer's, so domestic and overseas users meet each other's notes.
    DISCOVER_FOREIGN_SHARE = float(os.environ.get("DISCOVER_FOREIGN_SHARE", "0.3"))
    # Base URL of a LibreTranslate-compatible server (POST <url>/translate); empty turns
    # translation off and hides "See translation".
    TRANSLATION_URL = os.environ.get("TRANSLATION_URL", "")
    # API key sent to that server, if it requires one.
    TRANSLATION_API_KEY = os.environ.get("TRANSLATION_API_KEY", "")
    # Seconds to wait for a translation before telling the viewer to try later.
    TRANSLATION_TIMEOUT_SECONDS = float(os.environ.get("TRANSLATION_TIMEOUT_SECONDS", "10"))

    # Logistics: the signed tracking webhook and pulling events from carriers without push.
    # HMAC-SHA256 key of POST /api/v1/webhooks/tracking; empty refuses every delivery (503).
    TRACKING_WEBHOOK_SECRET = os.environ.get("TRACKING_WEBHOOK_SECRET", "")
    # Most events one webhook delivery may carry (422 too_many_events above it).
    TRACKING_WEBHOOK_MAX_EVENTS = _int("TRACKING_WEBHOOK_MAX_EVENTS", 500)
    # Base URL of a tracking service answering GET <url>/trackings/<carrier>/<number>;
    # empty turns pulling off.
    TRACKING_PROVIDER_URL = os.environ.get("TRACKING_PROVIDER_URL", "")
    TRACKING_PROVIDER_TIMEOUT_SECONDS = float(
        os.environ.get("TRACKING_PROVIDER_TIMEOUT_SECONDS", "10"))
    # Minutes between two pulls of a shipment that answered, and the longest back-off after
    # failures (the wait doubles with each failure up to this).
    TRACKING_POLL_INTERVAL_MINUTES = _int("TRACKING_POLL_INTERVAL_MINUTES", 120)
    TRACKING_POLL_MAX_BACKOFF_MINUTES = _int("TRACKING_POLL_MAX_BACKOFF_MINUTES", 720)
    # How long a shared public tracking link works, in days.
    TRACKING_SHARE_LINK_MAX_AGE_DAYS = _int("TRACKING_SHARE_LINK_MAX_AGE_DAYS", 90)
    # Days without a tracking event after which an undelivered parcel shows on the merchant's
    # exceptions board as quiet (from its ship date when it has no event at all).
    TRACKING_QUIET_DAYS = _int("TRACKING_QUIET_DAYS", 5)

    # Moderation screening (app.providers.moderation). Offline classifiers bundled with
    # their packages: "profanity-check" for text, "nudenet" for images; "" turns one off.
    MODERATION_TEXT_CLASSIFIER = os.environ.get("MODERATION_TEXT_CLASSIFIER",
                                                "profanity-check")
    MODERATION_IMAGE_CLASSIFIER = os.environ.get("MODERATION_IMAGE_CLASSIFIER", "nudenet")
    # An OpenAI-compatible policy model (self-hosted Llama Guard, Qwen...); empty turns it off.
    MODERATION_LLM_URL = os.environ.get("MODERATION_LLM_URL", "")
    MODERATION_LLM_MODEL = os.environ.get("MODERATION_LLM_MODEL", "llama-guard-3")
    MODERATION_LLM_API_KEY = os.environ.get("MODERATION_LLM_API_KEY", "")
    # "chat" (POST /v1/chat/completions, JSON verdict) or "moderations" (POST /v1/moderations).
    MODERATION_LLM_MODE = os.environ.get("MODERATION_LLM_MODE", "chat")
    # Seconds a provider may take; past it the item is held for a moderator.
    MODERATION_TIMEOUT_SECONDS = float(os.environ.get("MODERATION_TIMEOUT_SECONDS", "10"))
    # Largest pHash Hamming distance (of 64 bits) at which an upload counts as an image
    # removed before (re-compressed, resized, slightly cropped).
    MODERATION_PHASH_MAX_DISTANCE = _int("MODERATION_PHASH_MAX_DISTANCE", 10)

    @classmethod
    def validate(cls) -> None:
        """Refuse to start with settings that are unsafe for this environment."""
        if not cls.SECRET_KEY:
            raise ConfigurationError(
                f"SECRET_KEY is not set. The {cls.ENV_NAME} configuration refuses to start "
                "without it: export SECRET_KEY to a long random string "
                "(python -c 'import secrets; print(secrets.token_urlsafe(48))')."
            )


class DevelopmentConfig(Config):
    """`make run`: embedded SQLite, in-process jobs, console mail, Stripe sandbox."""

    ENV_NAME = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY", "qiao-development-only-secret")
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE


class TestingConfig(Config):
    """The test suite: a per-worker database, memory mail, no CSRF shortcuts."""

    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "qiao-testing-secret"
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("TEST_DATABASE_URL", "sqlite://"))
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    MAIL_BACKEND = "memory"
    RATELIMIT_STORAGE_URI = "memory://"
    CELERY_BROKER_URL = ""
    PUBLIC_BASE_URL = "http://localhost"
    TRANSLATION_URL = ""  # tests point it at a loopback LibreTranslate stand-in
    TRACKING_WEBHOOK_SECRET = "tracking-test-secret"
    TRACKING_PROVIDER_URL = ""  # tests point it at a loopback tracking stand-in
    # Screening runs the rules only unless a test chooses classifiers (they load models).
    MODERATION_TEXT_CLASSIFIER = ""
    MODERATION_IMAGE_CLASSIFIER = ""
    MODERATION_LLM_URL = ""


class ProductionConfig(Config):
    """PostgreSQL, Redis, Celery workers, SMTP and real Stripe keys."""

    ENV_NAME = "production"


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_for(name: str | None) -> type[Config]:
    """The configuration class named by `name` or by `QIAO_CONFIG` (production by default)."""
    chosen = name or os.environ.get("QIAO_CONFIG", "production")
    try:
        return CONFIGS[chosen]
    except KeyError:
        raise ConfigurationError(
            f"QIAO_CONFIG={chosen!r} is not one of {', '.join(sorted(CONFIGS))}."
        ) from None
