"""The web layer: one blueprint per audience. Views parse input, call a service, render."""

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from shop.web.admin import bp as admin_bp
    from shop.web.api import bp as api_bp
    from shop.web.auth import bp as auth_bp
    from shop.web.producer import bp as producer_bp
    from shop.web.salespoint import bp as salespoint_bp
    from shop.web.storefront import bp as storefront_bp
    from shop.web.webhooks import bp as webhooks_bp

    app.register_blueprint(storefront_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(producer_bp)
    app.register_blueprint(salespoint_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    app.register_blueprint(webhooks_bp)
