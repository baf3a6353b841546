import pytest

from app import create_app
from config import ConfigurationError, ProductionConfig


def test_production_refuses_to_start_without_secret_key(monkeypatch):
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", None)
    with pytest.raises(ConfigurationError, match="SECRET_KEY is not set"):
        create_app("production")


def test_production_starts_with_secret_key_and_secure_cookies(monkeypatch, tmp_path):
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "x" * 48)
    monkeypatch.setattr(ProductionConfig, "SQLALCHEMY_DATABASE_URI", f"sqlite:///{tmp_path}/p.db")
    monkeypatch.setattr(ProductionConfig, "MEDIA_ROOT", str(tmp_path / "media"))
    app = create_app("production")
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_unknown_configuration_name_is_a_clear_error():
    with pytest.raises(ConfigurationError, match="QIAO_CONFIG='staging' is not one of"):
        create_app("staging")
