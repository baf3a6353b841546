"""Configuration classes, read from the environment.

`QIAO_CONFIG` picks the class (development, testing, production). Every setting
that differs between deployments comes from an environment variable; the README
lists them all.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
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
    # No pool_pre_ping: app.core.database pings only connections that sat idle.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}

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

    # Periodic jobs (app.core.jobs.PERIODIC_JOBS): Celery beat runs them in production; the
    # embedded scheduler (`flask jobs schedule`) runs them beside a server without a broker.
    # Per-job intervals, "reconcile-payments=60,poll-tracking=600" (seconds).
    JOB_INTERVALS = os.environ.get("JOB_INTERVALS", "")
    # How long a scheduler holds a job it started; one killed mid-job frees it after this.
    JOB_LEASE_SECONDS = _int("JOB_LEASE_SECONDS", 600)
    # How often the embedded scheduler looks for due jobs, in seconds.
    SCHEDULER_TICK_SECONDS = float(os.environ.get("SCHEDULER_TICK_SECONDS", "5"))
    # Whether `python -m app.sandbox run` (so `make run`) starts the embedded scheduler.
    EMBEDDED_SCHEDULER = _bool("EMBEDDED_SCHEDULER", True)
    # Reconcile leaves a payment alone this long after it started (the shopper may still be
    # typing their card), in seconds.
    RECONCILE_MIN_AGE_SECONDS = _int("RECONCILE_MIN_AGE_SECONDS", 300)
    # A refund the provider took as "pending" is asked about again once it has waited this
    # many minutes for its webhook (the sync-pending-refunds job).
    REFUND_SYNC_AFTER_MINUTES = _int("REFUND_SYNC_AFTER_MINUTES", 30)

    # Operations: logs, metrics, readiness.
    # "json" (one object a line, with the request id) or "text".
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    # Prometheus metrics at /metrics; with a token, only `Authorization: Bearer <token>`
    # reads them, without one only clients on loopback (anyone else gets 404).
    METRICS_ENABLED = _bool("METRICS_ENABLED", True)
    METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
    # How long /readyz waits for the database and Redis, in seconds.
    READYZ_TIMEOUT_SECONDS = float(os.environ.get("READYZ_TIMEOUT_SECONDS", "2"))
    # Redis unreachable: rate limits fall back to this process's memory (with a warning)
    # instead of failing the request.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True

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

    # Media (avatars, note, product, return and logo images): `local` keeps files under
    # MEDIA_ROOT and serves them at /media/<key>; `s3` puts them in any S3-compatible bucket.
    MEDIA_STORAGE = os.environ.get("MEDIA_STORAGE", "local")
    MEDIA_ROOT = os.environ.get("MEDIA_ROOT", str(INSTANCE_DIR / "media"))
    MEDIA_S3_BUCKET = os.environ.get("MEDIA_S3_BUCKET", "")
    # Empty for AWS S3; MinIO, R2 and other S3-compatible stores need their endpoint.
    MEDIA_S3_ENDPOINT_URL = os.environ.get("MEDIA_S3_ENDPOINT_URL", "")
    MEDIA_S3_REGION = os.environ.get("MEDIA_S3_REGION", "us-east-1")
    # Empty: boto3's usual chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, profile, role).
    MEDIA_S3_ACCESS_KEY_ID = os.environ.get("MEDIA_S3_ACCESS_KEY_ID", "")
    MEDIA_S3_SECRET_ACCESS_KEY = os.environ.get("MEDIA_S3_SECRET_ACCESS_KEY", "")
    # Seconds to wait to connect to / hear from the store before an upload is refused.
    MEDIA_S3_TIMEOUT_SECONDS = float(os.environ.get("MEDIA_S3_TIMEOUT_SECONDS", "10"))
    # `public`: plain URLs (a public-read bucket or a CDN in front); `signed`: presigned GETs.
    MEDIA_URL_MODE = os.environ.get("MEDIA_URL_MODE", "public")
    # Base of public URLs, e.g. a CDN (https://cdn.example.com); empty: the bucket's own URL.
    MEDIA_S3_PUBLIC_BASE_URL = os.environ.get("MEDIA_S3_PUBLIC_BASE_URL", "")
    # How long a signed URL works.
    MEDIA_SIGNED_URL_SECONDS = _int("MEDIA_SIGNED_URL_SECONDS", 3600)

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
    # it collected at checkout: IOSS (EU), UK VAT, Australian GST (ARN) and Singapore GST
    # (the overseas vendor registration). Empty: not printed.
    PLATFORM_IOSS_NUMBER = os.environ.get("PLATFORM_IOSS_NUMBER", "")
    PLATFORM_UK_VAT_NUMBER = os.environ.get("PLATFORM_UK_VAT_NUMBER", "")
    PLATFORM_AU_GST_NUMBER = os.environ.get("PLATFORM_AU_GST_NUMBER", "")
    PLATFORM_SG_GST_NUMBER = os.environ.get("PLATFORM_SG_GST_NUMBER", "")

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
    # Share of each side of a signed-in viewer's Discover (0 to 1) kept for notes outside
    # their interest profile, so a personal feed keeps showing something new. 1 turns
    # personalisation off.
    DISCOVER_EXPLORE_SHARE = float(os.environ.get("DISCOVER_EXPLORE_SHARE", "0.4"))
    # Which kind of server TRANSLATION_URL is: "libretranslate" (POST <url>/translate) or
    # "openai" (an OpenAI-compatible chat endpoint, POST <url>/chat/completions, such as a
    # self-hosted Qwen behind vLLM or Ollama).
    TRANSLATION_PROVIDER = os.environ.get("TRANSLATION_PROVIDER", "libretranslate")
    # Base URL of that server; empty turns translation off (the UI says so, once a page).
    TRANSLATION_URL = os.environ.get("TRANSLATION_URL", "")
    # API key sent to that server, if it requires one (a Bearer token for "openai").
    TRANSLATION_API_KEY = os.environ.get("TRANSLATION_API_KEY", "")
    # The chat model asked to translate ("openai" only), e.g. "qwen2.5-7b-instruct".
    TRANSLATION_MODEL = os.environ.get("TRANSLATION_MODEL", "")
    # Seconds to wait for a translation before telling the viewer to try later.
    TRANSLATION_TIMEOUT_SECONDS = float(os.environ.get("TRANSLATION_TIMEOUT_SECONDS", "10"))

    # Sponsored notes (app.services.ads serving and tracking), and the page cache below.
    # Redis for frequency-cap and pacing counters; empty keeps them in the database.
    REDIS_URL = os.environ.get("REDIS_URL", "")
    # Anonymous storefront and Discover pages (app.core.page_cache): how long a rendered
    # page is kept (0: off). Content changes reach it at once; stock labels and like
    # counts may lag by up to this long.
    PAGE_CACHE_SECONDS = _int("PAGE_CACHE_SECONDS", 30)
    PAGE_CACHE_MAX_ENTRIES = _int("PAGE_CACHE_MAX_ENTRIES", 2000)  # in-process store only
    PAGE_CACHE_REDIS_PREFIX = os.environ.get("PAGE_CACHE_REDIS_PREFIX", "qiao:page:")
    # A slower Redis is skipped for that request: rendering is faster than waiting.
    PAGE_CACHE_REDIS_TIMEOUT_SECONDS = float(
        os.environ.get("PAGE_CACHE_REDIS_TIMEOUT_SECONDS", "0.2"))
    ADS_REDIS_PREFIX = os.environ.get("ADS_REDIS_PREFIX", "qiao:ads:")
    ADS_ENABLED = _bool("ADS_ENABLED", True)
    # 1-based positions of sponsored notes in each page of a feed.
    ADS_DISCOVER_POSITIONS = os.environ.get("ADS_DISCOVER_POSITIONS", "3,11,19")
    ADS_TOPIC_POSITIONS = os.environ.get("ADS_TOPIC_POSITIONS", "4,14")
    ADS_SEARCH_POSITIONS = os.environ.get("ADS_SEARCH_POSITIONS", "2,12")
    # How long impression and click tokens stay valid (a page left open longer bills nothing).
    ADS_TOKEN_TTL_SECONDS = _int("ADS_TOKEN_TTL_SECONDS", 3600)
    # How old the in-process snapshot of live campaigns may get before it is rebuilt.
    ADS_SNAPSHOT_SECONDS = float(os.environ.get("ADS_SNAPSHOT_SECONDS", "5"))
    # CTR prior of CPC bids (a decimal string) and its weight in impressions.
    ADS_CTR_PRIOR = os.environ.get("ADS_CTR_PRIOR", "0.01")
    ADS_CTR_PRIOR_WEIGHT = _int("ADS_CTR_PRIOR_WEIGHT", 200)
    # A lone bidder pays this percentage of its bid (the reserve price).
    ADS_RESERVE_PERCENT = _int("ADS_RESERVE_PERCENT", 50)
    # Bids in other currencies are ranked after conversion to this one.
    ADS_AUCTION_CURRENCY = os.environ.get("ADS_AUCTION_CURRENCY", "USD")
    # Another billable click (impression) of the same campaign by the same viewer within
    # this many seconds is a duplicate.
    ADS_CLICK_DEDUP_SECONDS = _int("ADS_CLICK_DEDUP_SECONDS", 600)
    ADS_IMPRESSION_DEDUP_SECONDS = _int("ADS_IMPRESSION_DEDUP_SECONDS", 5)
    # A click whose card was never reported seen (no JavaScript ran) counts as a bot.
    ADS_REQUIRE_VIEW_FOR_CLICK = _bool("ADS_REQUIRE_VIEW_FOR_CLICK", True)
    # Regular expression of crawler user agents (empty: the built-in list).
    ADS_BOT_USER_AGENTS = os.environ.get("ADS_BOT_USER_AGENTS", "")
    # Per-address cap on sponsored-view reports (each writes a row, even a forged one).
    ADS_TRACKING_RATE_LIMIT = os.environ.get("ADS_TRACKING_RATE_LIMIT", "600 per minute")
    # How often the pacing loop corrects each campaign's serving rate.

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
        media_problem = media_settings_problem(vars_of(cls))
        if media_problem:
            raise ConfigurationError(media_problem)


def vars_of(cls: type) -> dict[str, object]:
    """A configuration class's settings as a dict (inherited ones included)."""
    return {name: getattr(cls, name) for name in dir(cls) if name.isupper()}


def media_settings_problem(settings: Mapping[str, object]) -> str | None:
    """What is wrong with the media storage settings, or None."""
    storage = settings.get("MEDIA_STORAGE", "local")
    if storage not in ("local", "s3"):
        return f"MEDIA_STORAGE={storage!r} is not one of local, s3."
    if storage == "s3" and not settings.get("MEDIA_S3_BUCKET"):
        return "MEDIA_STORAGE=s3 needs MEDIA_S3_BUCKET (the bucket's name)."
    mode = settings.get("MEDIA_URL_MODE", "public")
    if mode not in ("public", "signed"):
        return f"MEDIA_URL_MODE={mode!r} is not one of public, signed."
    seconds = settings.get("MEDIA_SIGNED_URL_SECONDS", 3600)
    if not isinstance(seconds, int) or not 1 <= seconds <= 7 * 86400:
        return "MEDIA_SIGNED_URL_SECONDS must be from 1 to 604800 (S3's limit of 7 days)."
    return None


class DevelopmentConfig(Config):
    """`make run`: embedded SQLite, in-process jobs, console mail, Stripe sandbox."""

    ENV_NAME = "development"
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
    # A template being edited shows at once (PAGE_CACHE_SECONDS=30 to try the cache).
    PAGE_CACHE_SECONDS = _int("PAGE_CACHE_SECONDS", 0)
    SECRET_KEY = os.environ.get("SECRET_KEY", "qiao-development-only-secret")
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE


class TestingConfig(Config):
    """The test suite: a per-worker database, memory mail, no CSRF shortcuts."""

    ENV_NAME = "testing"
    TESTING = True
    LOG_FORMAT = "text"
    SECRET_KEY = "qiao-testing-secret"
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("TEST_DATABASE_URL", "sqlite://"))
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    MAIL_BACKEND = "memory"
    RATELIMIT_STORAGE_URI = "memory://"
    CELERY_BROKER_URL = ""
    PUBLIC_BASE_URL = "http://localhost"
    TRANSLATION_URL = ""  # tests point it at a loopback LibreTranslate stand-in
    # Every test rolls its data back: a snapshot kept across tests would serve campaigns
    # that no longer exist (tests that measure the cache set a longer age themselves).
    ADS_SNAPSHOT_SECONDS = 0.0
    REDIS_URL = ""  # the Redis counter store is tested against its own db number
    PAGE_CACHE_SECONDS = 0  # pages are rendered fresh; tests of the cache turn it on
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
