"""Real Qiao servers in their own processes, for the chaos and two-server tests and bench/.

A `LiveSite` is one database (a SQLite file or a PostgreSQL database) migrated and seeded
with the demo data through the `flask` command, and the environment its servers share.
A `LiveServer` is gunicorn (one sync worker) with the embedded scheduler beside it, in a
process group of their own, so `kill()` SIGKILLs both at once, like a machine going away.
A `Shopper` buys through the JSON API with a bearer token, as a mobile app would.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
DEMO_PASSWORD = "qiao-demo-pass"
US_ADDRESS = {"name": "Alex Doe", "line1": "350 Fifth Avenue", "line2": "",
              "city": "New York", "region": "NY", "postal_code": "10118", "country": "US",
              "phone": "+12125550100"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_redis_server() -> tuple[subprocess.Popen, str] | None:
    """A throwaway redis-server on a free loopback port that keeps nothing on disk, once it
    accepts connections: its process and URL. None when redis-server is not installed.
    """
    binary = shutil.which("redis-server")
    if binary is None:
        return None
    port = free_port()
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1",
                                "--save", "", "--appendonly", "no"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, f"redis://127.0.0.1:{port}/0"
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("redis-server did not start within 10 s")


def sqlite_or_postgres(purpose: str) -> str:
    """A fresh database URL: `<TEST_DATABASE_URL's name>_<purpose>` on PostgreSQL when that
    is set, else a new SQLite file in the temporary folder."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        folder = Path(tempfile.mkdtemp(prefix=f"qiao-{purpose}-"))
        return f"sqlite:///{folder / 'qiao.db'}"
    url = make_url(base)
    name = f"{url.database}_{purpose}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def drop_database(database_url: str) -> None:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    admin.dispose()


class LiveSite:
    """One database with the demo data and the settings every server of it shares."""

    def __init__(self, database_url: str, **settings: str) -> None:
        self.database_url = database_url
        self.media = Path(tempfile.mkdtemp(prefix="qiao-live-media-"))
        self.logs = Path(tempfile.mkdtemp(prefix="qiao-live-logs-"))
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "COV_"))},
            "QIAO_CONFIG": "production", "FLASK_APP": "wsgi",
            "SECRET_KEY": "live-test-secret-" + uuid.uuid4().hex,
            "DATABASE_URL": database_url, "MEDIA_ROOT": str(self.media),
            "SESSION_COOKIE_SECURE": "false", "LOG_FORMAT": "json", "LOG_LEVEL": "INFO",
            "STRIPE_SECRET_KEY": "", "STRIPE_SANDBOX_URL": "http://127.0.0.1:9",
            "PUBLIC_BASE_URL": "http://127.0.0.1", "MAIL_BACKEND": "console",
            "GUNICORN_WORKERS": "1", "GUNICORN_THREADS": "1",
            **settings,
        }
        self.env.pop("TEST_DATABASE_URL", None)
        self._engine: Engine | None = None

    def flask(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run([str(BIN / "flask"), *args], cwd=ROOT, env=self.env,
                              check=check, capture_output=True, text=True)

    def prepare(self) -> None:
        """Migrate and load the demo data (no sandbox answers: demo orders are marked paid)."""
        self.flask("db", "upgrade")
        self.flask("demo", "seed")

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = create_engine(self.database_url, poolclass=None)
        return self._engine

    def scalar(self, sql: str, **params):
        with self.engine.connect() as conn:
            return conn.execute(text(sql), params).scalar()

    def rows(self, sql: str, **params) -> list:
        with self.engine.connect() as conn:
            return list(conn.execute(text(sql), params))

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()


class LiveServer:
    """gunicorn on a loopback port, the embedded scheduler beside it (one process group)."""

    def __init__(self, site: LiveSite, port: int | None = None, *, scheduler: bool = True,
                 **settings: str) -> None:
        self.site = site
        self.port = port or free_port()
        self.scheduler = scheduler
        self.settings = settings
        self.process: subprocess.Popen | None = None
        self.log_path = site.logs / f"server-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> LiveServer:
        gunicorn = (f"exec {BIN / 'gunicorn'} -c gunicorn.conf.py -b 127.0.0.1:{self.port} "
                    "wsgi:app")
        command = (f"{BIN / 'flask'} jobs schedule & {gunicorn}" if self.scheduler
                   else gunicorn)
        env = {**self.site.env, **self.settings,
               "PROMETHEUS_MULTIPROC_DIR": tempfile.mkdtemp(prefix="qiao-live-metrics-")}
        self.process_env = env
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(["sh", "-c", command], cwd=ROOT, env=env, stdout=log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server on {self.port} exited: {self.log_tail()}")
            try:
                if requests.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except requests.RequestException:
                time.sleep(0.2)
        self.kill()
        raise RuntimeError(f"server on {self.port} did not answer: {self.log_tail()}")

    def signal(self, signum: int) -> None:
        if self.process is not None and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signum)
            except ProcessLookupError:
                pass

    def kill(self) -> None:
        """SIGKILL the server and its scheduler at once (no clean-up runs)."""
        if self.process is None:
            return
        self.signal(signal.SIGCONT)
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()
        # The scheduler was a child of sh; wait until the group is really gone.
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                os.killpg(self.process.pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        self.process = None

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


class Shopper:
    """A demo shopper buying through the JSON API against whichever server it is given."""

    def __init__(self, email: str = "shopper@example.com") -> None:
        self.email = email
        self.http = requests.Session()
        self.token: str | None = None

    def _headers(self, key: bool = False) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        if key:
            headers["Idempotency-Key"] = uuid.uuid4().hex
        return headers

    def log_in(self, server: LiveServer) -> None:
        response = self.http.post(f"{server.url}/api/v1/auth/token",
                                  json={"email": self.email, "password": DEMO_PASSWORD},
                                  timeout=30)
        assert response.status_code == 201, response.text
        self.token = response.json()["token"]

    def call(self, server: LiveServer, method: str, path: str, **kwargs) -> requests.Response:
        return self.http.request(method, f"{server.url}{path}",
                                 headers=self._headers(method == "POST"), timeout=30, **kwargs)

    def buy_until_payment(self, server: LiveServer, variant_id: int) -> tuple[int, str]:
        """Cart, quote and PaymentIntent for one unit: (quote id, intent id)."""
        added = self.call(server, "POST", "/api/v1/cart/items",
                          json={"variant_id": variant_id, "quantity": 1})
        assert added.status_code == 201, added.text
        quote = self.call(server, "POST", "/api/v1/checkout/quotes",
                          json={"currency": "USD", "shipping_address": US_ADDRESS})
        assert quote.status_code == 201, quote.text
        quote_id = quote.json()["id"]
        payment = self.call(server, "POST", f"/api/v1/checkout/quotes/{quote_id}/payment")
        assert payment.status_code == 201, payment.text
        return quote_id, payment.json()["payment_intent_id"]


def purchasable_variant(site: LiveSite, *, at_least: int) -> int:
    """A US store's active variant with `at_least` units free (the demo's Brooklyn Goods)."""
    rows = site.rows(
        "SELECT v.id FROM product_variants v JOIN products p ON p.id = v.product_id "
        "JOIN stores s ON s.id = p.store_id JOIN inventory_levels l ON l.variant_id = v.id "
        "WHERE p.status = 'active' AND s.name = 'Brooklyn Goods' "
        "GROUP BY v.id HAVING SUM(l.on_hand - l.reserved) >= :n ORDER BY v.id", n=at_least)
    assert rows, f"no demo variant with {at_least} free units"
    return rows[0][0]


def stock_of(site: LiveSite, variant_id: int) -> tuple[int, int]:
    """(on hand, reserved) of a variant over its warehouses."""
    row = site.rows("SELECT SUM(on_hand), SUM(reserved) FROM inventory_levels "
                    "WHERE variant_id = :v", v=variant_id)[0]
    return int(row[0]), int(row[1])
