"""Locust users for ``bench/bench_load.py`` (not run alone: that script starts Locust with it).

The plan (``LOAD_PLAN``, JSON written by ``bench_load.py``) names the accounts
and a sample of each county's enterprise ids.  Every simulated user logs in
through the login form with its CSRF token, like a browser, then works with a
think time of ``LOAD_THINK`` seconds (``"1,3"``: uniform between) between
clicks:

* :class:`Officer` — a county officer of one of the plan's counties: the
  工作台, the enterprise list with filters and search, an enterprise page, a
  record edit (the form, then the save: the address changes), a self-check
  (资格自检 prefilled from the record: evaluate, one in three also saved), now
  and then a CSV export of the county's members, and a health probe;
* :class:`CityAdmin` — the city administrator: the same over every county,
  plus the city overview;
* :class:`Ceiling` — ``GET /healthz`` with no think time: the server's own
  ceiling on this machine (run on its own).

POSTs are sent without following the redirect, so a save's time is the save
alone.  A save answered 409 (another simulated user saved the same record
first) is the application working: it is reported on its own row, not as an
error.  Every other unexpected status is a failure.
"""
from __future__ import annotations

import itertools
import json
import os
import random
import sys
from pathlib import Path
from urllib.parse import urlencode

import gevent
from locust import between, constant, events, task
from locust.contrib.fasthttp import FastHttpUser

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load_forms import csrf_token, form_fields  # noqa: E402

PLAN = json.loads(Path(os.environ["LOAD_PLAN"]).read_text(encoding="utf-8")) if "LOAD_PLAN" in os.environ else {}
_low, _high = (float(x) for x in os.environ.get("LOAD_THINK", "1,3").split(","))
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
SEARCHES = ("科技", "华新", "新材料", "机械", "电子", "MB00")
_officers = itertools.cycle(PLAN.get("officers", []))
WARMUP = float(os.environ.get("LOAD_WARMUP", "5"))
DURATION = float(os.environ.get("LOAD_DURATION", "60"))
_logged_in = 0  # users past their login


@events.spawning_complete.add_listener
def _measure_when_warm(user_count, **_kwargs):
    """Statistics start once every user has logged in (scrypt: slow on purpose) and
    ``LOAD_WARMUP`` seconds more have passed; the run ends ``LOAD_DURATION`` seconds
    later.  The file ``LOAD_STARTED`` (if named) is written when statistics start."""

    def measure():
        waited = 0.0
        while _logged_in < user_count and waited < 600:
            gevent.sleep(0.2)
            waited += 0.2
        gevent.sleep(WARMUP)
        _environment.runner.stats.reset_all()
        if os.environ.get("LOAD_STARTED"):
            Path(os.environ["LOAD_STARTED"]).write_text("started")
        gevent.sleep(DURATION)
        _environment.runner.quit()

    gevent.spawn(measure)


@events.init.add_listener
def _keep_environment(environment, **_kwargs):
    global _environment
    _environment = environment


_environment = None


def _count_login() -> None:
    global _logged_in
    _logged_in += 1


class Clerk(FastHttpUser):
    """What officers and the administrator share: logging in, pages, saves."""

    abstract = True
    wait_time = between(_low, _high)
    account: dict

    def on_start(self):
        page = self.client.get("/auth/login", name="login")
        fields = {"csrf_token": csrf_token(page.text), "username": self.account["username"],
                  "password": self.account["password"]}
        with self.client.post("/auth/login", data=urlencode(fields), headers=FORM, name="login",
                              allow_redirects=False, catch_response=True) as response:
            if response.status_code != 302:
                response.failure(f"login as {self.account['username']}: {response.status_code}")
                _count_login()  # done, if not in: the measurement does not wait for it
                raise RuntimeError("login failed")
        self.rng = random.Random()
        _count_login()

    def view(self, url: str, name: str, ok=(200,)):
        with self.client.get(url, name=name, catch_response=True) as response:
            if response.status_code not in ok:
                response.failure(f"{response.status_code}")
            return response

    def submit(self, url: str, fields, name: str, ok=(302, 303)):
        with self.client.post(url, data=urlencode(fields), headers=FORM, name=name,
                              allow_redirects=False, catch_response=True) as response:
            if response.status_code == 409:
                response.success()
                self.environment.events.request.fire(
                    request_type="POST", name=f"{name}: answered 409 (conflict, not an error)",
                    response_time=0, response_length=0, exception=None, context={})
            elif response.status_code not in ok:
                response.failure(f"{response.status_code}")
            return response

    def enterprise(self) -> int:
        return self.rng.choice(self.account["ids"])

    # --- the tasks ---------------------------------------------------------------

    @task(4)
    def home(self):
        self.view("/", "工作台 (home)")

    @task(25)
    def enterprise_list(self):
        choice = self.rng.randrange(6)
        if choice == 0:
            query = {"q": self.rng.choice(SEARCHES), "state": "admitted"}
        elif choice == 1:
            query = {"q": self.rng.choice(SEARCHES)}
        elif choice == 2:
            query = {"state": self.rng.choice(("graduated", "applied", "expelled")), "page": self.rng.randint(1, 5)}
        elif choice == 3:  # a USCC fragment: 91420… + "MB" + the id's digits
            query = {"q": f"MB{self.enterprise():07d}"[:7]}
        elif choice == 4:
            query = {"page": self.rng.randint(1, 40)}
        else:
            query = {"sort": self.rng.choice(("admitted_on", "industry", "state")), "dir": "desc"}
        self.view("/enterprises/?" + urlencode(query), "enterprise list (filters, search)")

    @task(25)
    def enterprise_page(self):
        self.view(f"/enterprises/{self.enterprise()}", "enterprise page")

    @task(6)
    def record_edit(self):
        enterprise_id = self.enterprise()
        url = f"/records/{enterprise_id}/edit"
        form = self.view(url, "record edit: form")
        if form.status_code != 200:
            return
        fields = [(k, v) for k, v in form_fields(form.text, url) if k != "address"]
        fields += [("address", f"黄石市团城山路{self.rng.randint(1, 999)}号"), ("submit", "保存")]
        self.submit(url, fields, "record edit: save")

    @task(4)
    def self_check(self):
        form = self.view(f"/checks/new?enterprise={self.enterprise()}", "self-check: form (from the record)")
        if form.status_code != 200:
            return
        fields = form_fields(form.text, "application-form")
        if self.rng.randrange(3) == 0:
            self.submit("/checks/new", fields + [("save", "评估并保存")], "self-check: evaluate and save")
        else:
            self.submit("/checks/new", fields + [("evaluate", "评估")], "self-check: evaluate",
                        ok=(200, 422))

    @task(2)
    def probe(self):
        self.view("/healthz", "health probe (GET /healthz)")


class Officer(Clerk):
    weight = 6

    def on_start(self):
        self.account = next(_officers)
        super().on_start()

    @task(1)
    def export(self):
        self.view("/reports/pool.csv?state=admitted", "export: the county's members (CSV)")


class CityAdmin(Clerk):
    weight = 1

    def on_start(self):
        self.account = PLAN["admin"]
        super().on_start()

    @task(2)
    def overview(self):
        self.view("/reports/overview", "city overview")

    @task(1)
    def export(self):
        county = self.rng.choice(PLAN["county_ids"])
        self.view(f"/reports/pool.csv?state=admitted&county={county}", "export: one county's members (CSV)")


class Ceiling(FastHttpUser):
    """The trivial endpoint as fast as the server answers it."""

    wait_time = constant(0)

    def on_start(self):
        _count_login()

    @task
    def healthz(self):
        self.client.get("/healthz", name="ceiling: GET /healthz, no think time")
