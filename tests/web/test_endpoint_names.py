"""Every endpoint named in a url_for call exists, so a typo fails here, not on a user's click."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

from flask import Blueprint

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_CALL = re.compile(r"""url_for\(\s*(['"])(?P<endpoint>[^'"]+)\1""")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _blueprint_of(module_name: str) -> str:
    """The name of the blueprint a module's routes belong to (relative endpoints resolve to it)."""
    blueprints = {value.name for value in vars(importlib.import_module(module_name)).values()
                  if isinstance(value, Blueprint)}
    assert len(blueprints) == 1, f"{module_name} uses relative endpoints but has {blueprints}"
    return blueprints.pop()


def python_endpoints() -> dict[str, set[str]]:
    """Each endpoint literal passed to url_for in app/, with the places that name it."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / "app").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id == "url_for" and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)):
                continue
            endpoint = node.args[0].value
            if endpoint.startswith("."):
                endpoint = _blueprint_of(_module_name(path)) + endpoint
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            found.setdefault(endpoint, set()).add(where)
    return found


def template_endpoints() -> dict[str, set[str]]:
    """Each endpoint literal passed to url_for in templates/, with the places that name it."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / "templates").rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for match in TEMPLATE_CALL.finditer(text):
            where = f"{path.relative_to(ROOT)}:{text.count(chr(10), 0, match.start()) + 1}"
            found.setdefault(match["endpoint"], set()).add(where)
    return found


def test_every_url_for_endpoint_is_registered(app):
    registered = {rule.endpoint for rule in app.url_map.iter_rules()}
    named = python_endpoints()
    in_templates = template_endpoints()
    # A scan that silently found nothing would pass any check.
    assert sum(map(len, named.values())) > 100 and sum(map(len, in_templates.values())) > 100
    relative = {e: w for e, w in in_templates.items() if e.startswith(".")}
    # A template can be rendered by any blueprint, so ".name" would depend on the caller.
    assert relative == {}
    for endpoint, where in in_templates.items():
        named.setdefault(endpoint, set()).update(where)
    unknown = {endpoint: sorted(where) for endpoint, where in named.items()
               if endpoint not in registered}
    assert unknown == {}


def test_relative_endpoints_resolve_against_the_module_blueprint():
    named = python_endpoints()
    # cart_routes.py asks for ".pay"; the checkout blueprint owns the payment page.
    assert any(w.startswith("app/checkout/cart_routes.py:") for w in named["checkout.pay"])
    assert "pay" not in named and ".pay" not in named
