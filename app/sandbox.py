"""The local Stripe sandbox: localstripe on loopback, with the app's webhook registered.

`python -m app.sandbox serve --port N` runs localstripe bound to 127.0.0.1 only (its own
launcher listens on every interface). `python -m app.sandbox run -- <command>` is what
`make run` uses: without STRIPE_SECRET_KEY it starts the sandbox, waits for it, registers
the app's webhook URL and signing secret, runs the command (the demo seed, so its orders
are paid at the sandbox, then the dev server) and stops the sandbox when the command
ends. Either way it runs the embedded scheduler (`flask jobs schedule`: reconcile, quote
expiry, e-mail retry... on the beat schedule) beside the command, unless
EMBEDDED_SCHEDULER=false.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from urllib.parse import urlsplit

WEBHOOK_NAME = "qiao"
START_TIMEOUT_SECONDS = 20


def serve(port: int, *, persist: bool) -> None:
    """Run localstripe in this process on 127.0.0.1:`port` until interrupted."""
    from aiohttp import web
    from localstripe import resources
    from localstripe.server import app

    if persist:
        resources.store.try_load_from_disk()
    else:
        # Tests start a fresh sandbox per run; skip pickling the store on every write.
        resources.Store.dump_to_disk = lambda self: None
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


def start(port: int, *, persist: bool = True) -> subprocess.Popen:
    """Start the sandbox as a child process and wait until it answers."""
    command = [sys.executable, "-m", "app.sandbox", "serve", "--port", str(port)]
    if not persist:
        command.append("--no-persist")
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the Stripe sandbox exited with status {process.returncode}; "
                               f"is port {port} already in use?")
        try:
            with urllib.request.urlopen(f"{base}/js.stripe.com/v3/", timeout=1):  # noqa: S310
                return process
        except (urllib.error.URLError, OSError):
            time.sleep(0.1)
    stop(process)
    raise RuntimeError(f"the Stripe sandbox did not start on {base}")


def stop(process: subprocess.Popen) -> None:
    """Stop a sandbox started by `start`."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def register_webhook(base: str, url: str, secret: str) -> None:
    """Tell the sandbox where to deliver events and with which signing secret."""
    data = urllib.parse.urlencode({"url": url, "secret": secret}).encode()
    request = urllib.request.Request(f"{base.rstrip('/')}/_config/webhooks/{WEBHOOK_NAME}",
                                     data=data, method="POST")
    with urllib.request.urlopen(request, timeout=5):  # noqa: S310 - loopback only
        pass


def new_webhook_secret() -> str:
    """A webhook signing secret for this run only."""
    # A constant one would let anyone who has read the source sign "payment succeeded"
    # events for a sandbox server reachable from outside.
    return "whsec_" + secrets.token_urlsafe(24)


def start_scheduler(env: dict[str, str]) -> subprocess.Popen | None:
    """The embedded scheduler (`flask jobs schedule`) beside the server, unless turned off."""
    if env.get("EMBEDDED_SCHEDULER", "true").strip().lower() in ("0", "false", "no", "off"):
        return None
    print(" * Periodic jobs (reconcile, quote expiry, e-mail retry, ...) run beside the "
          "server: flask jobs schedule", flush=True)
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "jobs",
                             "schedule"], env=env)


def run(command: list[str], *, host: str, port: int) -> int:
    """Run `command` with the sandbox (when no Stripe key is configured) and the embedded
    scheduler beside it; stop both when it ends.
    """
    if os.environ.get("STRIPE_SECRET_KEY"):
        return _run_beside(command, dict(os.environ), [])
    sandbox_url = os.environ.get("STRIPE_SANDBOX_URL", "http://127.0.0.1:8420")
    sandbox_port = urlsplit(sandbox_url).port or 8420
    process = start(sandbox_port)
    secret = os.environ.get("STRIPE_WEBHOOK_SECRET") or new_webhook_secret()
    app_host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104
    register_webhook(sandbox_url, f"http://{app_host}:{port}/api/v1/webhooks/stripe", secret)
    print(f" * Stripe sandbox (localstripe) on {sandbox_url}; test card 4242 4242 4242 4242",
          flush=True)
    env = {**os.environ, "STRIPE_SANDBOX_URL": sandbox_url, "STRIPE_WEBHOOK_SECRET": secret}
    return _run_beside(command, env, [process])


def _run_beside(command: list[str], env: dict[str, str],
                helpers: list[subprocess.Popen]) -> int:
    scheduler = start_scheduler(env)
    if scheduler is not None:
        helpers = [scheduler, *helpers]
    child = subprocess.Popen(command, env=env)
    # Ctrl-C reaches the whole process group; SIGTERM (e.g. from make) is passed on.
    signal.signal(signal.SIGTERM, lambda *_: child.terminate())
    try:
        return child.wait()
    except KeyboardInterrupt:
        return child.wait()
    finally:
        for helper in helpers:
            stop(helper)


def main(argv: list[str] | None = None) -> int:
    """Command line: `serve` (the sandbox itself) or `run` (a command beside it)."""
    parser = argparse.ArgumentParser(prog="python -m app.sandbox")
    commands = parser.add_subparsers(dest="action", required=True)
    serve_parser = commands.add_parser("serve", help="run localstripe on loopback")
    serve_parser.add_argument("--port", type=int, default=8420)
    serve_parser.add_argument("--no-persist", action="store_true")
    run_parser = commands.add_parser("run", help="run a command with the sandbox beside it")
    run_parser.add_argument("--host", default="127.0.0.1")
    run_parser.add_argument("--port", type=int, default=5000)
    run_parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if args.action == "serve":
        serve(args.port, persist=not args.no_persist)
        return 0
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("run needs a command after --")
    return run(command, host=args.host, port=args.port)


if __name__ == "__main__":
    sys.exit(main())
