"""The reasons the system writes into the stock ledger are shown in the reader's language."""

from __future__ import annotations

from flask_babel import force_locale

from app.services.inventory import movement_reason


def test_system_reasons_read_in_chinese(app):
    with app.test_request_context(), force_locale("zh"):
        assert movement_reason("commit", "shipped") == "已发货"
        assert movement_reason("release", "shipped from Shanghai") == "从 Shanghai 发货"
        assert movement_reason("release", "expired") == "预留已过期"
        assert movement_reason("release", "quote replaced") == "报价已被替换"
        assert movement_reason("transfer_out", "to Osaka") == "调往 Osaka"
        assert movement_reason("transfer_in", "from Main") == "调自 Main"
        assert movement_reason("adjust", "CSV import teas.csv") == "CSV 导入 teas.csv"


def test_peoples_reasons_and_other_kinds_stay_as_typed(app):
    with app.test_request_context(), force_locale("zh"):
        assert movement_reason("adjust", "Dropped a box") == "Dropped a box"
        assert movement_reason("adjust", "to be counted again") == "to be counted again"
        assert movement_reason("receive", "") == ""
    with app.test_request_context(), force_locale("en"):
        assert movement_reason("transfer_out", "to Osaka") == "to Osaka"
        assert movement_reason("commit", "shipped") == "shipped"
