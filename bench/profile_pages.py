"""Profile Qiao's read paths with pyinstrument: where one page's time goes.

Uses the demo database of `ceiling_ratio.py` (seeded the same way; `--keep-db` reuses
it), builds the app with the same production settings, and requests each page through
the Flask test client as an anonymous visitor without cookies, as wrk sends them (each
request a new browser; `--cookies` keeps them, a returning guest): a warm-up, then
`--requests` requests
under the profiler. Prints the mean wall time per request, the SQL statements of one
request, and pyinstrument's call tree (frames under `--min-share` of the time hidden).

    .venv/bin/python bench/profile_pages.py [--page Product] [--requests 300]
        [--db /tmp/qiao-bench-ceiling.db] [--database-url URL] [--keep-db] [--cookies]
        [--min-share 0.02] [--html out.html]

Needs pyinstrument (in the `dev` extras).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ceiling_ratio import DEFAULT_DB, pick_targets, prepare_qiao, qiao_env  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--page", action="append",
                        help="a page name of ceiling_ratio.py (default: all of them)")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--database-url", help="default: the SQLite file --db")
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--cookies", action="store_true",
                        help="keep cookies between requests (a returning guest)")
    parser.add_argument("--min-share", type=float, default=0.02)
    parser.add_argument("--html", type=Path, help="also write pyinstrument's HTML report")
    args = parser.parse_args()
    from pyinstrument import Profiler

    media = Path(tempfile.mkdtemp(prefix="qiao-profile-media-"))
    url = args.database_url or f"sqlite:///{args.db}"
    prepare_qiao(url, media, reuse=args.keep_db)
    os.environ.update(qiao_env(url, media))
    os.environ["METRICS_ENABLED"] = "false"  # no multiprocess folder in one process
    from app import create_app
    from app.extensions import db

    app = create_app()
    targets = pick_targets(url)
    names = args.page or list(targets)
    client = app.test_client(use_cookies=args.cookies)
    statements: list[str] = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute",
                     lambda *a, **k: statements.append(a[2]))
    for name in names:
        path = targets[name]
        for _ in range(20):
            assert client.get(path).status_code == 200, path
        statements.clear()
        client.get(path)
        count = len(statements)
        profiler = Profiler(interval=0.0005)
        started = time.perf_counter()
        profiler.start()
        for _ in range(args.requests):
            client.get(path)
        profiler.stop()
        elapsed = (time.perf_counter() - started) / args.requests
        print(f"\n=== {name} {path}: {elapsed * 1000:.2f} ms per request under the "
              f"profiler, {count} SQL statements")
        print(profiler.output_text(unicode=True, color=False, show_all=False,
                                   processor_options={"filter_threshold": args.min_share}))
        if args.html:
            args.html.with_stem(f"{args.html.stem}-{name.replace(' ', '_')}").write_text(
                profiler.output_html())


if __name__ == "__main__":
    main()
