"""Finding and masking protected names before a translation, at catalog scale.

Every translation (cached or not) first looks up which glossary entries, store names and
brand names occur in the text, checks the titles of the item's tagged products, then
masks them. This builds 2,000 stores, 500 brands, 100,000 active products and 300
glossary entries, then times `protected_names` + `mask` on 500-character notes mixing
English and Chinese, each tagging 3 products, a quarter of them naming a store, a tagged
product and a glossary place. Prints p50/p95/p99.

    .venv/bin/python bench/translation_glossary.py [--database-url URL] [--texts 300]

Default database: a SQLite file in the temp folder (the embedded default). For PostgreSQL:
    --database-url postgresql+psycopg://postgres@127.0.0.1:5432/qiao_bench_glossary
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from _common import describe, fresh_database, make_app
from sqlalchemy import insert, select

STORES = 2_000
BRANDS = 500
PRODUCTS = 100_000
TERMS = 300
LATIN = "abcdefghijklmnopqrstuvwxyz"
HAN = ("的一是不了人我在有他这为之大来以个中上们到说国和地也子时道出要于就下得可你年生会自"
       "着去过家学对")


def word(rng: random.Random) -> str:
    return "".join(rng.choice(LATIN) for _ in range(rng.randint(4, 9))).capitalize()


def build(app, rng: random.Random) -> dict[str, list[str]]:
    """Insert the data set with bulk statements; returns names to plant in the texts."""
    from app.extensions import db
    from app.models import GlossaryTerm, Organization, Product, Store

    stores = [f"{word(rng)} {word(rng)} {s}" for s in range(STORES)]
    brands = [f"{word(rng)} Beauty {b}" for b in range(BRANDS)]
    titles = [f"{word(rng)} {word(rng)} {p}" for p in range(PRODUCTS)]
    places = [f"{word(rng)}shan {t}" for t in range(TERMS)]
    orgs = [{"id": i + 1, "kind": "merchant", "name": name, "slug": f"m-{i}"}
            for i, name in enumerate(stores)]
    orgs += [{"id": STORES + i + 1, "kind": "brand", "name": name, "slug": f"b-{i}"}
             for i, name in enumerate(brands)]
    with app.app_context():
        db.session.execute(insert(Organization.__table__), orgs)
        db.session.execute(insert(Store.__table__), [
            {"id": i + 1, "organization_id": i + 1, "name": name, "slug": f"m-{i}",
             "description": "", "base_currency": "USD", "origin_country": "US",
             "return_policy": "", "sells_to": []} for i, name in enumerate(stores)])
        products = [{"store_id": p % STORES + 1, "title": title, "status": "active"}
                    for p, title in enumerate(titles)]
        for start in range(0, len(products), 5000):
            db.session.execute(insert(Product.__table__), products[start:start + 5000])
        db.session.execute(insert(GlossaryTerm.__table__), [
            {"term": name, "term_key": name.lower(), "kind": "place", "renderings": {}}
            for name in places])
        db.session.commit()
    return {"stores": stores, "titles": titles, "places": places}


def build_text(rng: random.Random, names: dict[str, list[str]], plant: bool
               ) -> tuple[str, list[str]]:
    """A ~500-character text and the 3 product titles its note tags (one named if planted)."""
    tagged = rng.sample(names["titles"], 3)
    parts: list[str] = []
    while sum(len(p) for p in parts) < 500:
        if rng.random() < 0.5:
            parts.append(" ".join(word(rng).lower() for _ in range(rng.randint(3, 8))) + ". ")
        else:
            parts.append("".join(rng.choice(HAN) for _ in range(rng.randint(8, 20))) + "，")
    text = "".join(parts)[:500]
    if plant:
        text = (f"{rng.choice(names['stores'])} {text[:150]} {tagged[0]} {text[150:300]} "
                f"{rng.choice(names['places'])} {text[300:]}")
    return text, tagged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=f"sqlite:///"
                        f"{Path(tempfile.gettempdir()) / 'qiao-bench-glossary.db'}")
    parser.add_argument("--texts", type=int, default=300)
    args = parser.parse_args()
    rng = random.Random(14)
    url = fresh_database(args.database_url)
    app = make_app(url)
    t0 = time.perf_counter()
    names = build(app, rng)
    print(f"data set built in {time.perf_counter() - t0:.1f} s on {url.rsplit('@', 1)[-1]}: "
          f"{STORES:,} stores, {BRANDS:,} brands, {PRODUCTS:,} products, {TERMS} glossary "
          "entries")
    from app.extensions import db
    from app.models import Product
    from app.services.social import glossary

    samples, masked = [], 0
    with app.app_context():
        for i in range(args.texts):
            text, titles = build_text(rng, names, plant=i % 4 == 0)
            tagged = list(db.session.scalars(select(Product).where(Product.title.in_(titles))))
            started = time.perf_counter()
            result = glossary.mask(text, glossary.protected_names(text, tagged))
            samples.append((time.perf_counter() - started) * 1000)
            masked += bool(result.spans)
    print(f"protected_names + mask on {args.texts} texts of ~500 characters "
          f"({masked} with names found): {describe(samples)}")


if __name__ == "__main__":
    main()
