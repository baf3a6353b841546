"""Gunicorn settings for Qiao: `gunicorn -c gunicorn.conf.py wsgi:app`.

Every value can be changed through the environment (GUNICORN_*), so one file serves a
laptop and a fleet. Sync workers: Qiao's requests are short and CPU-bound (templates,
the ORM), and each worker keeps its own database pool.
"""

import multiprocessing
import os
import shutil
import tempfile


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
# Two workers per core plus one, at most 8 by default: a CPU-bound app gains little past that.
workers = _env_int("GUNICORN_WORKERS", min(multiprocessing.cpu_count() * 2 + 1, 8))
worker_class = "gthread" if _env_int("GUNICORN_THREADS", 1) > 1 else "sync"
threads = _env_int("GUNICORN_THREADS", 1)
# A request still running after this is killed (the worker is restarted); keep it above
# the slowest legitimate request (a CSV import upload) and the database lock timeouts.
timeout = _env_int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _env_int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _env_int("GUNICORN_KEEPALIVE", 5)
# Recycle workers now and then so a slow leak never grows. The jitter is wide: workers
# share the load evenly, and with a narrow one they reached their limits together and
# the server answered nothing while both restarted.
max_requests = _env_int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _env_int("GUNICORN_MAX_REQUESTS_JITTER", 1000)
# Qiao's request hooks log one JSON line per request with its id (LOG_FORMAT=json);
# gunicorn's own access log is off unless asked for.
accesslog = "-" if os.environ.get("GUNICORN_ACCESS_LOG", "false").lower() == "true" else None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# The proxy in front sets X-Forwarded-*; Qiao trusts TRUSTED_PROXIES hops itself.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# Workers load the app after the fork: no database connection is shared between them.
preload_app = False

# Prometheus: every worker writes its metrics to files in one folder and /metrics adds them
# up. The folder must be empty when the server starts and is this server's own.
_metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if not _metrics_dir:
    _metrics_dir = tempfile.mkdtemp(prefix="qiao-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = _metrics_dir
raw_env = [f"PROMETHEUS_MULTIPROC_DIR={_metrics_dir}"]


def on_starting(server):
    """Empty the metrics folder: counts of a previous run must not be added to this one's."""
    os.makedirs(_metrics_dir, exist_ok=True)
    for entry in os.listdir(_metrics_dir):
        path = os.path.join(_metrics_dir, entry)
        if os.path.isdir(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            os.unlink(path)


def child_exit(server, worker):
    """A worker that exits leaves its counters, and its live gauges are dropped."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
