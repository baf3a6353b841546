"""One writer per ledger: only app/services/inventory writes inventory_levels, reservations
and stock_movements; every other module calls it (the models define the tables)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"
ALLOWED = (APP / "services" / "inventory", APP / "models")
MODELS = {"InventoryLevel", "Reservation", "StockMovement"}
TABLES = ("inventory_levels", "reservations", "stock_movements")
COUNTERS = {"on_hand", "reserved"}
RAW_WRITE = re.compile(rf"\b(insert\s+into|update|delete\s+from)\s+\"?({'|'.join(TABLES)})\b",
                       re.IGNORECASE)


def _called_name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _ledger_names(tree: ast.Module) -> set[str]:
    """The models under any alias, and names bound to their tables (X = Model.__table__,
    or a table constant such as LEVELS imported from the inventory package)."""
    names = set(MODELS)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            names |= {alias.asname for alias in node.names
                      if alias.name in MODELS and alias.asname}
            if (node.module or "").startswith("app.services.inventory"):
                names |= {alias.asname or alias.name for alias in node.names
                          if alias.name.isupper()}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and _refers_to(node.value, names):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return names


def _refers_to(node: ast.expr, names: set[str]) -> bool:
    """`node` is one of `names`, or an attribute of one (Model.__table__, Model.level_id)."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name) and node.id in names


def ledger_writes(source: str, filename: str = "<snippet>") -> list[str]:
    """Each place in `source` that writes a ledger table, as 'file:line: what'."""
    tree = ast.parse(source, filename)
    names = _ledger_names(tree)
    found = []
    for node in ast.walk(tree):
        what = None
        if isinstance(node, ast.Call):
            called = _called_name(node.func)
            if called in ("insert", "update", "delete") and node.args \
                    and _refers_to(node.args[0], names):
                what = f"{called}() of {ast.unparse(node.args[0])}"
            elif isinstance(node.func, ast.Name) and node.func.id in names \
                    and node.func.id[:1].isupper():
                what = f"{node.func.id}(...) built"
            elif called == "setattr" and len(node.args) > 1 \
                    and isinstance(node.args[1], ast.Constant) and node.args[1].value in COUNTERS:
                what = f"setattr(..., {node.args[1].value!r})"
        elif isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Attribute) and target.attr in COUNTERS:
                    what = f"assignment to .{target.attr}"
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and RAW_WRITE.search(node.value):
            what = "raw SQL write"
        if what:
            found.append(f"{filename}:{node.lineno}: {what}")
    return found


def test_only_the_inventory_package_writes_the_stock_tables():
    offenders = []
    for path in sorted(APP.rglob("*.py")):
        if any(path.is_relative_to(allowed) for allowed in ALLOWED):
            continue
        offenders += ledger_writes(path.read_text(), str(path.relative_to(APP.parent)))
    assert offenders == []


def test_the_scan_finds_each_kind_of_write():
    snippet = '''
from sqlalchemy import insert, update
from app.models import InventoryLevel, StockMovement as Ledger
from app.services.inventory.reservations import RESERVATIONS

LEVELS = InventoryLevel.__table__

def oversell(level, session):
    session.execute(update(LEVELS).values(reserved=LEVELS.c.reserved + 1))
    session.execute(delete(RESERVATIONS))
    session.execute(insert(Ledger), [{"level_id": level.id}])
    session.add(Ledger(level_id=level.id, kind="adjust"))
    level.on_hand = 3
    level.reserved += 1
    setattr(level, "on_hand", 4)
    session.execute(text("UPDATE inventory_levels SET on_hand = 0"))
'''
    found = [line.split(": ", 1)[1] for line in ledger_writes(snippet)]
    assert sorted(found) == sorted([
        "update() of LEVELS", "delete() of RESERVATIONS", "insert() of Ledger", "Ledger(...) built",
        "assignment to .on_hand", "assignment to .reserved", "setattr(..., 'on_hand')",
        "raw SQL write"])


def test_the_scan_leaves_reads_alone():
    snippet = '''
from sqlalchemy import select, update
from app.models import InventoryLevel, Quote

def read(session, quote):
    session.execute(select(InventoryLevel.on_hand - InventoryLevel.reserved))
    session.execute(update(Quote).values(state="expired"))
    quote.state = "expired"
    return "reservations are released by the expiry job"
'''
    assert ledger_writes(snippet) == []
