"""The OpenAPI document and a readable reference page."""

from __future__ import annotations

import json

from flask import current_app, render_template

from app.api import bp
from app.api.openapi import build_document


@bp.get("/openapi.json")
def openapi_document():
    """The OpenAPI 3.1 document for every endpoint."""
    return current_app.response_class(
        json.dumps(build_document(current_app), ensure_ascii=False, indent=1),
        mimetype="application/json",
    )


@bp.get("/docs")
def docs():
    """A human-readable API reference rendered from the OpenAPI document."""
    document = build_document(current_app)
    return render_template("api/docs.html", doc=document,
                           schemas_json={name: json.dumps(s, indent=2, ensure_ascii=False)
                                         for name, s in document["components"]["schemas"]
                                         .items()})
