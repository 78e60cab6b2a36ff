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
