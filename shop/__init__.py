"""The OCOP marketplace: storefront, producer portal, sales-point tools and JSON API."""

from __future__ import annotations

from flask import Flask

from shop import config as settings
from shop.config import PROJECT_ROOT


def create_app(config: dict | None = None) -> Flask:
    """Build the app: settings, extensions, blueprints, error pages, commands."""
    app = Flask(__name__, template_folder=str(PROJECT_ROOT / "templates"),
                static_folder=str(PROJECT_ROOT / "static"))
    app.config.from_mapping(settings.load())
    if config:
        app.config.update(config)
        if "SQLALCHEMY_ENGINE_OPTIONS" not in config:
            app.config["SQLALCHEMY_ENGINE_OPTIONS"] = settings.engine_options(
                app.config["SQLALCHEMY_DATABASE_URI"])
    app.instance_path = app.config["INSTANCE_PATH"]
    app.config.setdefault("SQLALCHEMY_BINDS", settings.replica_binds(app.config.get(
        "DATABASE_REPLICA_URL")))

    from shop import commands, models, web  # noqa: F401  (models: register every table)
    from shop.web import links, setup

    setup.extensions(app)
    web.register_blueprints(app)
    links.trust_only_configured_hosts(app)
    setup.security(app)
    setup.error_handlers(app)
    commands.register(app)
    return app
