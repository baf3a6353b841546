"""The shared parser of id-and-quantity lists: one shape check, one field-path style."""

from __future__ import annotations

import pytest

from app.services.fields import MAX_ID, FieldErrors, clean_objects, clean_quantity_lines


def lines(value, **kwargs):
    errors = FieldErrors()
    parsed = clean_quantity_lines(value, "lines", errors, id_key="order_line_id",
                                  max_items=3, **kwargs)
    return parsed, errors.fields


def test_good_lines_come_back_with_their_paths():
    parsed, fields = lines([{"order_line_id": 7, "quantity": 2},
                            {"order_line_id": "8", "quantity": "1"}])
    assert parsed == [("lines.0", 7, 2), ("lines.1", 8, 1)] and fields == {}


def test_every_bad_field_is_named_with_dots():
    parsed, fields = lines([{"order_line_id": MAX_ID + 1, "quantity": 1},
                            "3",
                            {"order_line_id": True, "quantity": 0},
                            ])
    assert set(fields) == {"lines.0.order_line_id", "lines.1", "lines.2.order_line_id",
                           "lines.2.quantity"}
    assert [path for path, *_ in parsed] == ["lines.0", "lines.2"]


@pytest.mark.parametrize("value", [None, [], {}, "lines", [{}] * 4])
def test_the_list_itself_must_be_a_short_non_empty_list(value):
    assert list(lines(value)[1]) == ["lines"]


def test_an_optional_list_may_be_empty_or_absent():
    assert lines([], allow_empty=True) == ([], {})
    assert lines(None, allow_empty=True) == ([], {})


def test_a_huge_digit_string_is_refused_without_converting_it():
    _parsed, fields = lines([{"order_line_id": "9" * 5000, "quantity": 1}])
    assert list(fields) == ["lines.0.order_line_id"]


def test_objects_keep_their_paths_for_other_shapes():
    errors = FieldErrors()
    objects = clean_objects([{"sku": "A"}, 1], "items", errors, max_items=5,
                            shape="sku and quantity")
    assert objects == [("items.0", {"sku": "A"})]
    assert errors.fields == {"items.1": ["Must be an object with sku and quantity."]}
