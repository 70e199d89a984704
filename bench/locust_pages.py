"""The load test of `make bench`: locust, headless, used as a library so the phases run one after another.

Run by bench/run.py with the bench's own virtualenv (.venv-bench, requirements-bench.txt: locust pins gevent and
friends the app does not need), against a gunicorn that run.py started:

    .venv-bench/bin/python bench/locust_pages.py PLAN.json RESULTS.json

PLAN.json (written by run.py) names the server, the trivial page, the users' password and, for each page, its URL
and the accounts that open it (each simulated user its own account, with a URL of its own where the page is
per person). This file knows nothing of the app's models: it only speaks HTTP, as a browser behind the TLS proxy
would (X-Forwarded-Proto: https, which the production settings trust from 127.0.0.1).

1. Sign-in: every account signs in through the real /login/ page and, where it has an authenticator, the code
   step (the code computed with django_otp's own TOTP from the bench key), CSRF token and Referer as a browser
   sends them. Sign-ins are not timed.
2. For each page: USERS concurrent users (20), each its own signed-in account, open the trivial page over and over
   for the phase, then the page itself for the same length: p95 of each, and the ratio. A phase lasts
   PHASE seconds after a short warm-up, longer (up to 4 times) until it has MIN_REQUESTS responses.
   Every response must be 200 and not a redirect: anything else fails the measurement (a fast 404 or a bounce
   to the sign-in page is not a result), and run.py stops with the errors.
"""

# locust patches the standard library for gevent on import: it comes first.
from locust import HttpUser, constant, task  # isort: skip
from locust.env import Environment  # isort: skip

import itertools
import json
import os
import re
import sys
import time

import gevent
from django_otp.oath import totp
from gevent.pool import Pool

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def over_loopback(jar):
    """The client stands where the TLS proxy would: send the app's Secure cookies over the loopback's plain HTTP.
    (requests copies the jar into a new one with the default policy for every request, so a cookie policy would
    not reach it: the flag is cleared on the cookies themselves, before each request.)"""
    for cookie in jar:
        cookie.secure = False


class BenchUser(HttpUser):
    """One signed-in person opening one URL as fast as the server answers (no think time: the server's queue is
    what is measured)."""

    wait_time = constant(0)
    plan = None  # set per phase: {"accounts": [...], "name": ..., "url": ... or None for each account's own}
    counter = itertools.count()
    cookies = {}  # username -> the signed-in session's cookies

    def on_start(self):
        account = self.plan["accounts"][next(BenchUser.counter) % len(self.plan["accounts"])]
        self.url = self.plan["url"] or account["url"]
        self.name = self.plan["name"]
        for key, value in BenchUser.cookies[account["username"]].items():
            self.client.cookies.set(key, value)

    @task
    def open_page(self):
        over_loopback(self.client.cookies)
        with self.client.get(self.url, name=self.name, allow_redirects=False, catch_response=True,
                             headers=self.environment.parsed_options.headers) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} {response.headers.get('Location', '')}".strip())


class Options:
    """What locust's command line would hold: only what this file reads."""

    def __init__(self, headers):
        self.headers = headers


def sign_in(environment, host, account, password, headers):
    """Sign one account in through the real pages; returns its cookies."""
    from locust.clients import HttpSession

    session = HttpSession(base_url=host, request_event=environment.events.request, user=None)
    secure_origin = "https://" + host.split("://", 1)[1]

    def post(path, data):
        over_loopback(session.cookies)
        page = session.get(path, headers=headers, name="sign-in", allow_redirects=False)
        if page.status_code != 200:
            raise SystemExit(f"{account['username']}: GET {path} answered {page.status_code}")
        token = CSRF_INPUT.search(page.text)
        if not token:
            raise SystemExit(f"{account['username']}: no CSRF token on {path}")
        over_loopback(session.cookies)
        return session.post(path, data={**data, "csrfmiddlewaretoken": token.group(1)}, allow_redirects=False,
                            name="sign-in",
                            headers={**headers, "Referer": secure_origin + path, "Origin": secure_origin})

    answer = post("/login/", {"username": account["username"], "password": password})
    if answer.status_code != 302:
        raise SystemExit(f"{account['username']}: the password step answered {answer.status_code}")
    if "/login/code/" in answer.headers.get("Location", ""):
        for _ in range(3):
            code = f"{totp(bytes.fromhex(account['totp_key'])):06d}"
            answer = post("/login/code/", {"code": code})
            if answer.status_code == 302:
                break
            # A code already used in this 30-second step is refused (no replay): wait for the next one.
            gevent.sleep(31 - time.time() % 30)
        if answer.status_code != 302:
            raise SystemExit(f"{account['username']}: the code step answered {answer.status_code}")
    return {cookie.name: cookie.value for cookie in session.cookies}


def drain(host):
    """Wait until the server has answered what the stopped users had sent. Their requests stay queued in
    gunicorn (a sync worker finishes a request whose client has gone), and would otherwise be the next phase's
    first seconds: one request to the health check, which the workers reach only after the queue, waits for them."""
    import requests

    requests.get(host + "/health/", timeout=300)


def percentile(entry, fraction):
    return entry.get_response_time_percentile(fraction) if entry.num_requests else None


def run_phase(environment, plan, name, url, accounts, settings):
    BenchUser.plan = {"name": name, "url": url, "accounts": accounts}
    BenchUser.counter = itertools.count()
    runner = environment.runner or environment.create_local_runner()
    runner.start(settings["users"], spawn_rate=settings["users"])
    gevent.sleep(settings["warmup"])
    # An error in the warm-up counts too: only the timings of the warm-up are left out.
    warmup_errors = [f"{error.occurrences}× {error.error} (warm-up)" for error in environment.stats.errors.values()
                     if error.name == name]
    environment.stats.reset_all()
    started = time.monotonic()
    deadline = started + settings["phase_seconds"] * 4
    while True:
        gevent.sleep(0.5)
        elapsed = time.monotonic() - started
        entry = environment.stats.get(name, "GET")
        if elapsed >= settings["phase_seconds"] and entry.num_requests >= settings["min_requests"]:
            break
        if time.monotonic() >= deadline:
            break
    runner.stop()
    drain(environment.host)
    entry = environment.stats.get(name, "GET")
    errors = warmup_errors + [f"{error.occurrences}× {error.error}" for error in environment.stats.errors.values()
                              if error.name == name]
    return {
        "requests": entry.num_requests,
        "failures": entry.num_failures,
        "errors": errors,
        "seconds": round(elapsed, 1),
        "p50_ms": percentile(entry, 0.5),
        "p95_ms": percentile(entry, 0.95),
        "max_ms": entry.max_response_time if entry.num_requests else None,
        "rps": round(entry.num_requests / max(elapsed, 0.001), 1),
    }


def main():
    plan_path, results_path = sys.argv[1:3]
    with open(plan_path) as handle:
        plan = json.load(handle)
    headers = {"X-Forwarded-Proto": "https"}
    environment = Environment(user_classes=[BenchUser], host=plan["host"], parsed_options=Options(headers))
    accounts = {account["username"]: account for page in plan["pages"] for account in page["accounts"]}
    started = time.monotonic()
    pool = Pool(4)
    for username, cookies in zip(accounts, pool.imap(
        lambda account: sign_in(environment, plan["host"], account, plan["password"], headers), accounts.values()
    ), strict=True):
        BenchUser.cookies[username] = cookies
    print(f"signed in {len(accounts)} accounts in {time.monotonic() - started:.0f} s", flush=True)
    results = []
    for page in plan["pages"]:
        trivial_name = f"trivial before {page['name']}"
        trivial = run_phase(environment, plan, trivial_name, plan["trivial_url"], page["accounts"], plan["settings"])
        measured = run_phase(environment, plan, page["name"], page.get("url"), page["accounts"], plan["settings"])
        row = {"page": page["name"], "role": page["role"], "url": page.get("url") or page["accounts"][0]["url"],
               "accounts": len(page["accounts"]), "trivial": trivial, "measured": measured}
        if trivial["p95_ms"] and measured["p95_ms"]:
            row["ratio"] = round(measured["p95_ms"] / trivial["p95_ms"], 2)
        results.append(row)
        print(f"{page['name']}: p95 {measured['p95_ms']} ms ({measured['requests']} requests, "
              f"{measured['failures']} failed) / trivial p95 {trivial['p95_ms']} ms = {row.get('ratio')} "
              f"[load {os.getloadavg()[0]:.2f}]", flush=True)
        for error in trivial["errors"] + measured["errors"]:
            print(f"  error: {error}", flush=True)
        with open(results_path, "w") as handle:  # as it goes, so a stopped run keeps what it measured
            json.dump(results, handle, indent=2)


if __name__ == "__main__":
    main()
