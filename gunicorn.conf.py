"""Gunicorn settings for `make serve` and production; override with environment variables."""

import os

bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '5000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# A worker is replaced after this many requests (a guard against slow leaks). Each worker keeps
# its own page cache and open search index without REDIS_URL, which a new worker builds again,
# and its connections wait while it starts: at 2,000 a busy host replaced a worker every few
# seconds, and at 50,000 a 2-core host serving 1,500 pages a second still replaced one every
# minute, each time with two seconds of waiting (p99) for the requests it held.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000000"))
max_requests_jitter = max_requests // 10
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# Logging: without this the app's own loggers (shop.*: emails, payments, faults) have no
# handler under gunicorn and their INFO lines vanish. The app logs at LOG_LEVEL (INFO) to
# standard error, each line naming its time, level and logger; gunicorn's error log goes there
# too, the access log to standard output as before.
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(process)d] %(message)s"
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "shop": {"format": LOG_FORMAT, "datefmt": "%Y-%m-%dT%H:%M:%S%z"},
        "access": {"format": "%(message)s"},
    },
    "handlers": {
        "stderr": {"class": "logging.StreamHandler", "formatter": "shop",
                   "stream": "ext://sys.stderr"},
        "access": {"class": "logging.StreamHandler", "formatter": "access",
                   "stream": "ext://sys.stdout"},
    },
    "root": {"level": os.environ.get("LOG_LEVEL", "INFO").upper(), "handlers": ["stderr"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["access"], "propagate": False},
        "alembic": {"level": "WARNING"},  # its plugins announce themselves in each worker
        "fontTools": {"level": "WARNING"},  # WeasyPrint's font subsetting speaks at INFO
    },
}
