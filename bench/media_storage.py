"""Media on object storage: what an image URL costs to render, and an upload's round trip.

    .venv/bin/python bench/media_storage.py [--urls 20000] [--uploads 200]

Starts moto's S3 server on loopback (as the tests do), then times `url(key)` in each mode
(public, signed with the reuse cache, signed without it) and `save` + `delete` of a 30 kB
object. A page of 20 product cards renders 20 to 40 image URLs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.s3_server import S3Server  # noqa: E402


def per_call(fn, count: int) -> float:
    start = time.perf_counter()
    for i in range(count):
        fn(i)
    return (time.perf_counter() - start) / count * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--urls", type=int, default=20000)
    parser.add_argument("--uploads", type=int, default=200)
    args = parser.parse_args()
    server = S3Server()
    server.start()
    server.client().create_bucket(Bucket="bench-media")
    public = server.storage("bench-media")
    signed = server.storage("bench-media", url_mode="signed")
    public.client  # noqa: B018 - build the clients before timing
    signed.client  # noqa: B018
    keys = [f"products/1/{i:06d}-thumb.webp" for i in range(args.urls)]
    for label, storage in (("public", public), ("signed, first time", signed),
                           ("signed, reused", signed)):
        cost = per_call(lambda i, storage=storage: storage.url(keys[i]), args.urls)
        print(f"url(), {label + ':':20s} {cost:8.1f} µs")
    data = b"\0" * 30_000
    times = []
    for i in range(args.uploads):
        start = time.perf_counter()
        public.save(f"bench/{i}.webp", data, "image/webp")
        times.append(time.perf_counter() - start)
    print(f"save 30 kB to moto on loopback: p50 {statistics.median(times) * 1000:.1f} ms, "
          f"p95 {sorted(times)[int(len(times) * 0.95)] * 1000:.1f} ms")
    for i in range(args.uploads):
        public.delete(f"bench/{i}.webp")
    server.stop()


if __name__ == "__main__":
    main()
