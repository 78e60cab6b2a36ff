"""Settings from the environment (and a .env file where present); nothing is read at import."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _flag(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key(env: dict, instance: Path, production: bool) -> str:
    """SECRET_KEY from the environment; for local runs one is generated once into instance/."""
    if env.get("SECRET_KEY"):
        return env["SECRET_KEY"]
    if production:
        raise RuntimeError(
            "SECRET_KEY must be set in the environment when SHOP_ENV=production"
        )
    key_file = instance / "secret_key"
    if not key_file.exists():
        instance.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(48))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def load(env: dict | None = None) -> dict:
    """Build the Flask config mapping from environment variables."""
    env = dict(os.environ if env is None else env)
    instance = Path(env.get("INSTANCE_PATH") or PROJECT_ROOT / "instance")
    production = env.get("SHOP_ENV", "development") == "production"
    database_url = env.get("DATABASE_URL") or f"sqlite:///{instance / 'shop.db'}"
    return {
        "SHOP_ENV": env.get("SHOP_ENV", "development"),
        "INSTANCE_PATH": str(instance),
        "SECRET_KEY": _secret_key(env, instance, production),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(database_url, env),
        "DATABASE_REPLICA_URL": env.get("DATABASE_REPLICA_URL") or None,
        "REDIS_URL": env.get("REDIS_URL") or None,
        "PAGE_CACHE": _flag(env.get("PAGE_CACHE"), True),
        "PAGE_CACHE_SECONDS": int(env.get("PAGE_CACHE_SECONDS", 300)),
        "PAGE_CACHE_ENTRIES": int(env.get("PAGE_CACHE_ENTRIES", 2000)),
        "PAGE_CACHE_PREFIX": env.get("PAGE_CACHE_PREFIX") or "ocop:page:",
        "SEARCH_INDEX_DIR": env.get("SEARCH_INDEX_DIR") or str(instance / "search-index"),
        "MEDIA_DIR": env.get("MEDIA_DIR") or str(instance / "media"),
        "PHOTO_MAX_BYTES": int(env.get("PHOTO_MAX_BYTES", 8 * 1024 * 1024)),
        "PHOTO_MAX_PIXELS": int(env.get("PHOTO_MAX_PIXELS", 40_000_000)),
        # the memory decoding one upload may take (PNG, WebP, progressive JPEG): catalog.images
        "PHOTO_MAX_DECODE_BYTES": int(env.get("PHOTO_MAX_DECODE_BYTES", 128 * 1024 * 1024)),
        "SEARCH_BACKEND": env.get("SEARCH_BACKEND") or "whoosh",
        "SEARCH_WRITE_TIMEOUT": float(env.get("SEARCH_WRITE_TIMEOUT") or 10),
        "STRIPE_SECRET_KEY": env.get("STRIPE_SECRET_KEY") or None,
        "STRIPE_WEBHOOK_SECRET": env.get("STRIPE_WEBHOOK_SECRET") or None,
        "STRIPE_API_BASE": env.get("STRIPE_API_BASE") or None,
        "SESSION_COOKIE_SECURE": _flag(env.get("SESSION_COOKIE_SECURE"), production),
        # __Host-: the browser keeps it only when Secure, for this host and path / (production)
        "SESSION_COOKIE_NAME": "__Host-session" if _flag(env.get("SESSION_COOKIE_SECURE"), production)
        else "session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _flag(env.get("SESSION_COOKIE_SECURE"), production),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "PERMANENT_SESSION_LIFETIME": int(env.get("SESSION_LIFETIME_SECONDS", 12 * 3600)),
        "SESSION_IDLE_SECONDS": int(env.get("SESSION_IDLE_SECONDS", 30 * 60)),
        "SESSION_ABSOLUTE_SECONDS": int(env.get("SESSION_LIFETIME_SECONDS", 12 * 3600)),
        # Sessions live on the server: in the database, or in Redis when REDIS_URL is set.
        "SESSION_STORE": env.get("SESSION_STORE") or ("redis" if env.get("REDIS_URL") else "database"),
        "SESSION_KEY_PREFIX": env.get("SESSION_KEY_PREFIX") or "ocop",
        "TRUSTED_PROXY_HOPS": int(env.get("TRUSTED_PROXY_HOPS", 0)),
        "HSTS_MAX_AGE": int(env.get("HSTS_MAX_AGE", 365 * 24 * 3600)),
        "RATELIMIT_ENABLED": _flag(env.get("RATELIMIT_ENABLED"), True),
        "RATELIMIT_STORAGE_URI": env.get("REDIS_URL") or "memory://",
        "RATELIMIT_SIGN_IN": env.get("RATELIMIT_SIGN_IN", "10 per minute;60 per hour"),
        "RATELIMIT_CHECKOUT": env.get("RATELIMIT_CHECKOUT", "10 per minute;100 per hour"),
        "RATELIMIT_SEARCH": env.get("RATELIMIT_SEARCH", "60 per minute"),
        "RATELIMIT_API": env.get("RATELIMIT_API", "300 per minute"),
        "SIGN_IN_FAILURES_PER_ACCOUNT": int(env.get("SIGN_IN_FAILURES_PER_ACCOUNT", 5)),
        "SIGN_IN_FAILURES_PER_ADDRESS": int(env.get("SIGN_IN_FAILURES_PER_ADDRESS", 20)),
        "SIGN_IN_WINDOW_SECONDS": int(env.get("SIGN_IN_WINDOW_SECONDS", 15 * 60)),
        "BABEL_DEFAULT_LOCALE": "vi",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
        "BABEL_TRANSLATION_DIRECTORIES": str(PROJECT_ROOT / "translations"),
        "LANGUAGES": ("vi", "en"),
        "PER_PAGE": 24,
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
        "JSON_SORT_KEYS": False,
        "MAIL_SERVER": env.get("MAIL_SERVER") or None,
        "MAIL_PORT": int(env.get("MAIL_PORT", 587)),
        "MAIL_USE_TLS": _flag(env.get("MAIL_USE_TLS"), True),
        "MAIL_USERNAME": env.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD") or None,
        "MAIL_FROM": env.get("MAIL_FROM", "Chợ OCOP <no-reply@localhost>"),
        "MAIL_BACKEND": env.get("MAIL_BACKEND") or ("smtp" if env.get("MAIL_SERVER") else "console"),
        "SHIPPING_FEE_VND": int(env.get("SHIPPING_FEE_VND", 30_000)),
        "FREE_SHIPPING_FROM_VND": int(env.get("FREE_SHIPPING_FROM_VND", 500_000)),
        "CARD_PAYMENT_MINUTES": int(env.get("CARD_PAYMENT_MINUTES", 30)),
        "TRANSFER_PAYMENT_HOURS": int(env.get("TRANSFER_PAYMENT_HOURS", 48)),
        "BANK_BIN": env.get("BANK_BIN", "970436"),
        "BANK_ACCOUNT_NUMBER": env.get("BANK_ACCOUNT_NUMBER", "0011001234567"),
        "BANK_ACCOUNT_NAME": env.get("BANK_ACCOUNT_NAME", "CHO OCOP VIET NAM"),
        "PLATFORM_FEE_BASIS_POINTS": fee_basis_points(env.get("PLATFORM_FEE_PERCENT", "5")),
        **shop_seller(env, production),
        **public_origin(env, production),
    }


def public_origin(env: dict, production: bool) -> dict:
    """PUBLIC_URL, the origin every link given out starts with (required in production), and
    TRUSTED_HOSTS, the host names requests may name (production: PUBLIC_URL's host unless set;
    a request for another host is refused with 400)."""
    url = (env.get("PUBLIC_URL") or "").strip().rstrip("/")
    if url and not re.match(r"^https?://[A-Za-z0-9.-]+(:\d{1,5})?$", url):
        raise RuntimeError(f"PUBLIC_URL must be an origin such as https://ocop.example.vn, not {url!r}")
    if production and not url:
        raise RuntimeError("PUBLIC_URL must be set when SHOP_ENV=production: every link in an "
                           "email, PDF or QR code starts with it")
    hosts = [h.strip().lower() for h in (env.get("TRUSTED_HOSTS") or "").split(",") if h.strip()]
    if production and not hosts:
        hosts = [url.split("://", 1)[1].split(":", 1)[0].lower()]
    return {"PUBLIC_URL": url or None, "TRUSTED_HOSTS": hosts or None}


# The shop's own registration as a seller (it invoices the shipping it charges); the demo
# values serve local runs only.
DEMO_SELLER = {"SHOP_LEGAL_NAME": "Công ty Cổ phần Chợ OCOP (bản chạy thử)",
               "SHOP_TAX_CODE": "0100000000-999",
               "SHOP_ADDRESS": "Số 2 Ngọc Hà, phường Ba Đình, thành phố Hà Nội",
               "SHOP_INVOICE_TEMPLATE": "1", "SHOP_INVOICE_SYMBOL": "C26TVC"}


def shop_seller(env: dict, production: bool) -> dict:
    """SHOP_LEGAL_NAME, SHOP_TAX_CODE, SHOP_ADDRESS (required in production),
    SHOP_INVOICE_TEMPLATE (1) and SHOP_INVOICE_SYMBOL; RuntimeError naming a bad one."""
    values = {name: (env.get(name) or "").strip() or (default if not production or name in (
        "SHOP_INVOICE_TEMPLATE", "SHOP_INVOICE_SYMBOL") else "")
        for name, default in DEMO_SELLER.items()}
    checks = {"SHOP_LEGAL_NAME": r"^.{2,200}$", "SHOP_TAX_CODE": r"^(\d{10}(-\d{3})?|\d{12})$",
              "SHOP_ADDRESS": r"^.{5,300}$", "SHOP_INVOICE_TEMPLATE": r"^[12]$",
              "SHOP_INVOICE_SYMBOL": r"^[CK]\d{2}[TDLMNBGHX][A-Z]{2}$"}
    for name, pattern in checks.items():
        if not re.match(pattern, values[name]):
            raise RuntimeError(f"{name} is missing or not valid ({values[name]!r}): the shop "
                               "invoices its shipping under its own registration")
    return values


def fee_basis_points(percent: str) -> int:
    """PLATFORM_FEE_PERCENT ('5', '2.5', '2.75') as basis points (500, 250, 275): no floats."""
    whole, _, fraction = percent.strip().partition(".")
    if not whole.isdigit() or not (fraction == "" or (fraction.isdigit() and len(fraction) <= 2)):
        raise RuntimeError(f"PLATFORM_FEE_PERCENT must be a percentage such as 5 or 2.5, not {percent!r}")
    points = int(whole) * 100 + int(fraction.ljust(2, "0") or 0)
    if points > 10_000:
        raise RuntimeError(f"PLATFORM_FEE_PERCENT cannot be more than 100, not {percent!r}")
    return points


def engine_options(database_url: str, env: dict | None = None) -> dict:
    """Connection settings per engine: SQLite waits on locks, PostgreSQL keeps a pool
    (sizes from DB_POOL_SIZE, DB_MAX_OVERFLOW, DB_POOL_TIMEOUT, DB_POOL_RECYCLE: docs/DEPLOY.md)."""
    env = dict(os.environ if env is None else env)
    if database_url.startswith("sqlite"):
        return {"connect_args": {"timeout": 30, "check_same_thread": False}}
    return {"pool_size": int(env.get("DB_POOL_SIZE", 10)),
            "max_overflow": int(env.get("DB_MAX_OVERFLOW", 10)),
            "pool_timeout": int(env.get("DB_POOL_TIMEOUT", 30)),
            "pool_recycle": int(env.get("DB_POOL_RECYCLE", 1800)), "pool_pre_ping": True}


def replica_binds(replica_url: str | None) -> dict:
    """SQLALCHEMY_BINDS for a read replica (DATABASE_REPLICA_URL), or none."""
    if not replica_url:
        return {}
    return {"replica": {"url": replica_url, **engine_options(replica_url)}}
