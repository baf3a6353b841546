"""Every missing organisation-scoped object answers the same 404, so ids cannot be probed."""

from __future__ import annotations

from tests.catalog_factories import make_shop

MESSAGE = "Not found, or you do not have access to it."


def test_missing_and_foreign_objects_read_the_same(make_org, make_user, api_token, client):
    mine = make_shop(make_org, make_user)
    theirs = make_shop(make_org, make_user)
    their_product = theirs.add_product(skus=("THEIRS",))
    my_product = mine.add_product(skus=("MINE",))
    headers = api_token(mine.owner)
    missing = 999_999
    own = mine.store.id
    urls = [
        f"/api/v1/stores/{missing}/warehouses",               # no such store
        f"/api/v1/stores/{theirs.store.id}/warehouses",       # another organisation's store
        f"/api/v1/organizations/{missing}",                   # no such organisation
        f"/api/v1/organizations/{theirs.store.organization_id}",  # someone else's
        f"/api/v1/stores/{own}/products/{missing}",           # no such product
        f"/api/v1/stores/{own}/products/{their_product.id}",  # another store's product
        f"/api/v1/stores/{theirs.store.id}/products/{their_product.id}",
        f"/api/v1/stores/{own}/orders/{missing}",             # no such order
        f"/api/v1/stores/{theirs.store.id}/orders/{missing}",
    ]
    answers = {}
    for url in urls:
        response = client.get(url, headers=headers)
        error = response.get_json()["error"]
        answers[url] = (response.status_code, error["code"], error["message"])
    assert set(answers.values()) == {(404, "not_found", MESSAGE)}, answers
    # The ids are real: the owner of each reaches them.
    assert client.get(f"/api/v1/stores/{own}/products/{my_product.id}",
                      headers=headers).status_code == 200


def test_a_warehouse_of_another_store_reads_like_a_missing_one(make_org, make_user, api_token,
                                                               client):
    mine = make_shop(make_org, make_user)
    theirs = make_shop(make_org, make_user)
    headers = api_token(mine.owner)
    mine.add_product(skus=("ONE",))
    answers = []
    for warehouse_id in (theirs.us.id, 999_999):
        response = client.post(
            f"/api/v1/stores/{mine.store.id}/inventory",
            json={"mode": "set", "items": [{"sku": "ONE", "warehouse_id": warehouse_id,
                                            "quantity": 3}]},
            headers={**headers, "Idempotency-Key": f"wh-{warehouse_id}"})
        answers.append((response.status_code, response.get_json()["error"]))
    assert answers[0] == answers[1]
    assert answers[0][0] == 422  # named per item, the same words for either
