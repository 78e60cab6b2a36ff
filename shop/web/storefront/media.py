from flask import abort, current_app, send_file

from shop.catalog import photos
from shop.catalog.models import PHOTO_NAME_PATTERN
from shop.web.storefront import bp


@bp.get("/media/photos/<name>.jpg")
def photo(name: str):
    """A product photo or its thumbnail (`<name>-thumb`); names are made by the server only."""
    base, thumb = (name[:-6], True) if name.endswith("-thumb") else (name, False)
    if not PHOTO_NAME_PATTERN.match(base):
        abort(404)
    path = photos.photo_path(current_app.config["MEDIA_DIR"], base, thumb)
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype="image/jpeg", max_age=31536000)
