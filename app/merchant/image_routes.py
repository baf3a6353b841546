"""Portal product images: reorder (the first is the cover) and delete.

Uploads go through the product editor's form, so a new product can get its images
in the same save.
"""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.transaction import commit
from app.merchant import bp
from app.merchant.forms import ImageMoveForm
from app.merchant.portal import open_portal
from app.services.catalog import products as catalog


def _back(store_id: int, product_id: int):
    return redirect(url_for(".edit_product", store_id=store_id, product_id=product_id,
                            _anchor="images"), code=303)


@bp.post("/stores/<int:store_id>/products/<int:product_id>/images/<int:image_id>/move")
@login_required
def move_image(store_id: int, product_id: int, image_id: int):
    """Make an image the cover, or move it one place earlier or later."""
    open_portal(store_id)
    product = catalog.get_product(current_user, store_id, product_id)
    order = [image.id for image in product.images]
    if image_id not in order:
        abort(404)
    form = ImageMoveForm()
    if not form.validate_on_submit():
        flash(_("Choose where the image goes."), "error")
        return _back(store_id, product_id)
    position = order.index(image_id)
    order.remove(image_id)
    target = {"first": 0, "earlier": max(position - 1, 0),
              "later": min(position + 1, len(order))}[form.to.data]
    order.insert(target, image_id)
    catalog.reorder_product_images(current_user, store_id, product_id, order)
    commit()
    flash(_("The cover image was changed.") if target == 0 else _("The image was moved."),
          "success")
    return _back(store_id, product_id)


@bp.post("/stores/<int:store_id>/products/<int:product_id>/images/<int:image_id>/delete")
@login_required
def delete_image(store_id: int, product_id: int, image_id: int):
    """Delete an image and its stored renditions."""
    open_portal(store_id)
    catalog.remove_product_image(current_user, store_id, product_id, image_id)
    commit()
    flash(_("The image was deleted."), "success")
    return _back(store_id, product_id)
