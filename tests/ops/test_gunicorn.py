"""gunicorn.conf.py for real: two sync workers, metrics added up across them, JSON logs."""

from __future__ import annotations

import json
import os
import re
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from tests.ops.live import LiveServer, LiveSite, drop_database, sqlite_or_postgres

HEALTHZ_COUNT = re.compile(
    r'^qiao_request_duration_seconds_count\{endpoint="ops\.healthz",method="GET",'
    r'status="200"\} ([\d.]+)$', re.M)


@pytest.fixture(scope="module")
def server():
    url = sqlite_or_postgres(f"gunicorn_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}")
    site = LiveSite(url, GUNICORN_WORKERS="2")
    live = LiveServer(site, scheduler=False)
    try:
        site.flask("db", "upgrade")
        live.start()
        yield live
    finally:
        live.kill()
        site.close()
        drop_database(url)


def test_metrics_add_up_every_worker(server):
    def healthz_count() -> float:
        found = HEALTHZ_COUNT.search(requests.get(f"{server.url}/metrics", timeout=10).text)
        return float(found.group(1)) if found else 0.0

    def burst(count: int) -> list[int]:
        # Sixteen at a time, a new connection each: one sync worker cannot take them all.
        with ThreadPoolExecutor(16) as pool:
            return list(pool.map(lambda _: requests.get(f"{server.url}/healthz",
                                                        timeout=30).status_code, range(count)))

    folder = Path(server.process_env["PROMETHEUS_MULTIPROC_DIR"])
    deadline = time.monotonic() + 90  # the second worker may still be loading the app
    while len(list(folder.glob("histogram_*.db"))) < 2 and time.monotonic() < deadline:
        burst(16)
    assert len(list(folder.glob("histogram_*.db"))) == 2  # both workers have served
    before = healthz_count()
    assert burst(80) == [200] * 80
    assert healthz_count() == before + 80  # /metrics adds up both workers' files


def test_json_access_lines_carry_the_request_id(server):
    response = requests.get(f"{server.url}/readyz", headers={"X-Request-ID": "lb-7f3a"},
                            timeout=10)
    assert response.status_code == 200 and response.headers["X-Request-ID"] == "lb-7f3a"
    lines = [json.loads(line) for line in server.log_tail(400).splitlines()
             if line.startswith("{")]
    [access] = [line for line in lines if line.get("request_id") == "lb-7f3a"]
    assert access["logger"] == "qiao.access" and access["path"] == "/readyz"
    assert access["status"] == 200 and access["duration_ms"] >= 0
