"""Every error code the app can answer with is in the catalogue, and nothing else is."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.errors import HTTP_CODES
from app.services.error_codes import ERROR_CODES

APP = Path(__file__).resolve().parents[2] / "app"

# Helpers that forward an error code to a DomainError or to the JSON error body: the
# position of their `code` argument and the status it leaves with (None: the call's first
# argument, when that is a literal). A test below keeps this list honest.
CARRIERS = {
    "_file_error": (1, 422),  # csv_format._file_error(message, code) -> ValidationFailed
    "flag": (3, 422),  # bulk_shipping._Checker.flag(row, column, message, code): a 422 row
    "json_error": (1, None),  # app.errors.json_error(status, code, message)
}
# FieldErrors.add(field, message, code): raise_if_any turns it into a ValidationFailed.
COLLECTOR, COLLECTOR_CODE_INDEX = "FieldErrors", 2


@dataclass(frozen=True)
class Use:
    """One place that sets an error code, and the status it answers with there."""

    code: str
    status: int | None
    where: str


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _literals(node: ast.expr | None, local: dict[str, list[str]]) -> list[str]:
    """The code strings an expression can evaluate to, as far as the source says."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value] if node.value else []
    if isinstance(node, ast.IfExp):
        return _literals(node.body, local) + _literals(node.orelse, local)
    if isinstance(node, ast.BoolOp):
        return [code for value in node.values for code in _literals(value, local)]
    if isinstance(node, ast.Call) and _name(node.func) == "get" and len(node.args) == 2:
        return _literals(node.args[1], local)  # mapping.get(key, "fallback_code")
    if isinstance(node, ast.Name):
        return local.get(node.id, [])
    return []


def _error_classes(trees: dict[str, ast.Module]) -> dict[str, int]:
    """DomainError and its subclasses anywhere in the sources, with their HTTP status."""
    defs = {node.name: node for tree in trees.values() for node in ast.walk(tree)
            if isinstance(node, ast.ClassDef)}
    statuses: dict[str, int] = {}

    def own_status(node: ast.ClassDef) -> int | None:
        for stmt in node.body:
            if (isinstance(stmt, ast.Assign) and [_name(t) for t in stmt.targets] == ["status"]
                    and isinstance(stmt.value, ast.Constant)):
                return stmt.value.value
        return None

    changed = True
    while changed:
        changed = False
        for name, node in defs.items():
            if name in statuses:
                continue
            parents = [_name(base) for base in node.bases]
            if name == "DomainError" or any(p in statuses for p in parents):
                inherited = next((statuses[p] for p in parents if p in statuses), None)
                statuses[name] = own_status(node) or inherited
                changed = True
    return statuses


def scan(sources: dict[str, str]) -> list[Use]:
    """Every error code literal in `sources` (path -> Python text) and its status."""
    trees = {path: ast.parse(text) for path, text in sources.items()}
    classes = _error_classes(trees)
    uses: list[Use] = []
    for path, tree in trees.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and node.name in classes:
                for stmt in node.body:
                    if (isinstance(stmt, ast.Assign)
                            and [_name(t) for t in stmt.targets] == ["code"]):
                        uses += [Use(code, classes[node.name], f"{path}:{stmt.lineno}")
                                 for code in _literals(stmt.value, {})]
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                uses += _calls_in(node, classes, path)
    return uses


def _calls_in(func: ast.FunctionDef | ast.AsyncFunctionDef, classes: dict[str, int],
              path: str) -> list[Use]:
    # Codes put in a local variable first (`code = "a" if ... else "b"`) count too.
    local: dict[str, list[str]] = {}
    collectors = {arg.arg for arg in func.args.args + func.args.kwonlyargs
                  if arg.annotation is not None and _name(arg.annotation) == COLLECTOR}
    for node in ast.walk(func):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                and isinstance(node.targets[0], ast.Name):
            local.setdefault(node.targets[0].id, []).extend(_literals(node.value, {}))
            if isinstance(node.value, ast.Call) and _name(node.value.func) == COLLECTOR:
                collectors.add(node.targets[0].id)
    uses = []
    for node in ast.walk(func):
        if not isinstance(node, ast.Call):
            continue
        callee = _name(node.func)
        keyword = next((k.value for k in node.keywords if k.arg == "code"), None)
        if callee in classes:
            status, value = classes[callee], keyword
        elif (callee == "add" and isinstance(node.func, ast.Attribute)
              and _name(node.func.value) in collectors):
            status = 422
            value = (node.args[COLLECTOR_CODE_INDEX]
                     if len(node.args) > COLLECTOR_CODE_INDEX else keyword)
        elif callee in CARRIERS:
            index, status = CARRIERS[callee]
            value = node.args[index] if len(node.args) > index else keyword
            if status is None and node.args and isinstance(node.args[0], ast.Constant):
                status = node.args[0].value
        else:
            continue
        uses += [Use(code, status, f"{path}:{node.lineno}") for code in _literals(value, local)]
    return uses


def uncatalogued(uses: list[Use]) -> list[str]:
    """The codes in `uses` that the catalogue lacks, each with where it is raised."""
    return sorted({f"{use.code} ({use.where})" for use in uses if use.code not in ERROR_CODES})


@pytest.fixture(scope="module")
def app_sources() -> dict[str, str]:
    return {str(path.relative_to(APP.parent)): path.read_text(encoding="utf-8")
            for path in sorted(APP.rglob("*.py"))}


@pytest.fixture(scope="module")
def uses(app_sources) -> list[Use]:
    found = scan(app_sources)
    # The handler for the framework's own HTTP errors maps statuses through a table.
    found += [Use(code, status, "app/errors/__init__.py HTTP_CODES")
              for status, code in HTTP_CODES.items()]
    return found


def test_every_code_the_app_raises_is_in_the_catalogue(uses):
    missing = uncatalogued(uses)
    assert not missing, "add these to app/services/error_codes.py:\n" + "\n".join(missing)


def test_every_catalogued_code_is_still_raised(uses):
    stale = sorted(set(ERROR_CODES) - {use.code for use in uses})
    assert not stale, f"no longer raised anywhere; remove from the catalogue: {stale}"


def test_each_code_answers_with_the_statuses_the_catalogue_gives(uses):
    seen: dict[str, set[int]] = {}
    for use in uses:
        if use.status is not None:
            seen.setdefault(use.code, set()).add(use.status)
    wrong = {code: (sorted(statuses), ERROR_CODES[code].statuses)
             for code, statuses in seen.items()
             if code in ERROR_CODES and set(ERROR_CODES[code].statuses) != statuses}
    assert not wrong, f"raised with (left) but catalogued as (right): {wrong}"


def test_catalogue_entries_are_snake_case_with_a_one_line_meaning():
    for code, entry in ERROR_CODES.items():
        assert re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", code), code
        assert entry.meaning.strip() and "\n" not in entry.meaning, code
        assert all(400 <= status < 600 for status in entry.statuses), code


def test_the_code_carriers_still_take_a_code_where_the_scanner_looks():
    positions = {}
    for path in APP.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef):
                names = [arg.arg for arg in node.args.args if arg.arg != "self"]
                positions.setdefault(node.name, set()).add(
                    names.index("code") if "code" in names else None)
    for name, (index, _status) in {**CARRIERS, "add": (COLLECTOR_CODE_INDEX, 422)}.items():
        assert index in positions.get(name, set()), name


SNIPPET = '''
from app.services.errors import Conflict, DomainError


class OutOfTea(Conflict):
    code = "out_of_tea"


class Kettle(DomainError):
    status = 418


def brew(errors: FieldErrors, cold):
    code = "too_cold" if cold else "too_hot"
    errors.add("water", "Wrong temperature.", code)
    report = ImportReport()
    report.add(1, "", "not a code")
    raise Kettle("Short and stout.", code="teapot")
'''


def test_the_scanner_finds_codes_in_classes_calls_and_collectors(app_sources):
    uses = [use for use in scan({**app_sources, "app/snippet.py": SNIPPET})
            if use.where.startswith("app/snippet.py")]
    assert {(use.code, use.status) for use in uses} == {
        ("out_of_tea", 409), ("teapot", 418), ("too_cold", 422), ("too_hot", 422)}


def test_a_code_missing_from_the_catalogue_is_caught(app_sources):
    missing = uncatalogued(scan({**app_sources, "app/snippet.py": SNIPPET}))
    assert [entry.split()[0] for entry in missing] == ["out_of_tea", "teapot", "too_cold",
                                                       "too_hot"]
