"""The house's layers hold: import-linter contracts, and no request globals in services."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
# What a service must never read: the request, the session, the signed-in user, URLs.
REQUEST_GLOBALS = {
    "flask": {"request", "g", "session", "url_for", "has_request_context", "redirect", "abort",
              "render_template", "flash"},
    "flask_login": {"current_user", "login_user", "logout_user"},
}


def run_contracts(project: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", "--config", "pyproject.toml"],
                          cwd=project, capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(project), "PATH": "/usr/bin:/bin"})


def request_globals_used(source: str) -> list[str]:
    """Names from REQUEST_GLOBALS that `source` imports, as "module.name"."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module in REQUEST_GLOBALS:
            found += [f"{node.module}.{alias.name}" for alias in node.names
                      if alias.name in REQUEST_GLOBALS[node.module]]
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and node.value.id in REQUEST_GLOBALS \
                and node.attr in REQUEST_GLOBALS[node.value.id]:
            found.append(f"{node.value.id}.{node.attr}")
    return found


def test_the_layer_contracts_hold():
    result = run_contracts(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" not in result.stdout.lower().replace("0 broken", "")


@pytest.fixture
def project_copy(tmp_path):
    copy = tmp_path / "qiao"
    shutil.copytree(ROOT / "app", copy / "app", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    return copy


def test_a_service_importing_a_blueprint_breaks_the_contracts(project_copy):
    mail = project_copy / "app" / "services" / "mail.py"
    mail.write_text(mail.read_text() + "\nfrom app.web import forms  # noqa: E402,F401\n")
    result = run_contracts(project_copy)
    assert result.returncode != 0
    assert "app.services.mail -> app.web.forms" in result.stdout


def test_a_domain_reaching_into_another_domains_module_breaks_the_contracts(project_copy):
    orders = project_copy / "app" / "services" / "orders" / "lifecycle.py"
    orders.write_text(orders.read_text()
                      + "\nfrom app.services.inventory import ledger  # noqa: E402,F401\n")
    result = run_contracts(project_copy)
    assert result.returncode != 0
    assert "app.services.orders.lifecycle -> app.services.inventory.ledger" in result.stdout


def test_services_read_no_request_globals():
    offenders = {str(path.relative_to(ROOT)): used
                 for path in sorted((ROOT / "app" / "services").rglob("*.py"))
                 if (used := request_globals_used(path.read_text(encoding="utf-8")))}
    assert offenders == {}


def test_the_request_globals_check_sees_each_way_of_reaching_them():
    assert request_globals_used("from flask import current_app, url_for") == ["flask.url_for"]
    assert request_globals_used("import flask\nflask.request.args") == ["flask.request"]
    assert request_globals_used("from flask_login import current_user") == \
        ["flask_login.current_user"]
    assert request_globals_used("from flask import current_app") == []
