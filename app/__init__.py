"""Qiao application factory."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from config import INSTANCE_DIR, config_for

ROOT = Path(__file__).resolve().parent.parent


def create_app(config_name: str | None = None, **overrides) -> Flask:
    """Build the app: configuration, extensions, blueprints, error handlers, CLI."""
    config_class = config_for(config_name)
    config_class.validate()

    app = Flask(
        __name__,
        instance_path=str(INSTANCE_DIR),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.from_object(config_class)
    app.config.update(overrides)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    Path(app.config["MEDIA_ROOT"]).mkdir(parents=True, exist_ok=True)
    from app.ops.logs import configure_logging, register_request_ids
    from app.ops.metrics import register_metrics
    from app.web.beacons import BeaconSafeSessionInterface
    from app.web.cached_pages import register_page_cache
    from app.web.converters import register_converters
    from app.web.hooks import register_request_hooks, register_upload_limits

    app.session_interface = BeaconSafeSessionInterface()
    configure_logging(app)
    # First, so every later hook's log lines carry the request id and its time counts.
    register_request_ids(app)
    register_metrics(app)
    register_converters(app)

    # Before the extensions: CSRF protection reads the form in its own before_request.
    register_upload_limits(app)
    register_extensions(app)
    register_blueprints(app)

    from app.cli import register_cli

    register_request_hooks(app)
    register_page_cache(app)
    from app.services.checkout import track_shipping_writes
    from app.services.fx import track_rate_writes
    from app.services.markets import track_rule_book_writes

    # What quotes keep between requests: rates, the rule book, stores' shipping profiles.
    track_rate_writes(app)
    track_rule_book_writes(app)
    track_shipping_writes(app)
    register_cli(app)
    from app import tasks  # noqa: F401 - registers every Celery task by its name
    return app


def register_extensions(app: Flask) -> None:
    """Bind every extension to `app`."""
    from app.core import database
    from app.core.jobs import init_celery
    from app.extensions import babel, csrf, db, limiter, login_manager, migrate
    from app.ops.resilience import make_rate_limits_resilient
    from app.providers.mail import init_mail
    from app.providers.media import init_media
    from app.web.viewer import select_locale, select_timezone

    db.init_app(app)
    database.configure_engines(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone,
                   default_translation_directories=str(ROOT / "translations"))
    limiter.init_app(app)
    make_rate_limits_resilient(app, limiter)
    init_celery(app)
    init_mail(app)
    init_media(app)

    import app.models  # noqa: F401 - every table registered before migrations look


def register_blueprints(app: Flask) -> None:
    """Mount the HTML feature blueprints and the JSON API."""
    from app.account import bp as account_bp
    from app.admin import bp as admin_bp
    from app.api import bp as api_bp
    from app.auth import bp as auth_bp
    from app.brand import bp as brand_bp
    from app.checkout import bp as checkout_bp
    from app.errors import register_error_handlers
    from app.main import bp as main_bp
    from app.merchant import bp as merchant_bp
    from app.notes import bp as notes_bp
    from app.ops import bp as ops_bp
    from app.orgs import bp as orgs_bp
    from app.storefront import bp as storefront_bp

    app.register_blueprint(ops_bp)
    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp, url_prefix="/auth")
    app.register_blueprint(account_bp, url_prefix="/account")
    app.register_blueprint(orgs_bp, url_prefix="/orgs")
    app.register_blueprint(brand_bp, url_prefix="/brand")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(merchant_bp, url_prefix="/merchant")
    app.register_blueprint(notes_bp)
    app.register_blueprint(storefront_bp)
    app.register_blueprint(checkout_bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    register_error_handlers(app)
