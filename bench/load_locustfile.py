"""The users bench/load.py runs with locust (headless, a subprocess): visitors reading the
catalogue and looking up a dossier, citizens submitting with two 200 KB files (the steps of
bench/dossier_submission.submit_once), and one-stop desk officers working their queue and
receiving the dossiers the citizens submitted.

No Django here: bench/load.py writes what the users need into the JSON file LOAD_CONFIG (the
sessions it made in Redis, the procedure, the document ids) and reads back LOAD_SUBMITTED, one
line per submission that was answered as submitted (the redirect to /ho-so/<code>/ came back).
"""

import collections
import itertools
import json
import os
import random
import re

from dossier_submission import PDF_200K, PNG_200K  # the same two files as the submission bench
from locust import HttpUser, events, task

CONFIG = json.loads(open(os.environ["LOAD_CONFIG"], encoding="utf-8").read())  # noqa: SIM115
SUBMITTED = open(os.environ["LOAD_SUBMITTED"], "a", encoding="utf-8")  # noqa: SIM115
CODE = re.compile(r"/ho-so/([^/]+)/$")
# Codes submitted during this run: visitors look them up, officers receive them.
to_receive: collections.deque = collections.deque(CONFIG["waiting"])
known_codes: list = list(CONFIG["known_codes"])
citizens = itertools.cycle(CONFIG["citizens"])
officers = itertools.cycle(CONFIG["officers"])
addresses = itertools.count(1)
SEARCHES = ["khai sinh", "dang ky kinh doanh", "cap phep xay dung", "ket hon", "ho tich", "dat dai"]


@events.quitting.add_listener
def _close(environment, **kwargs):
    SUBMITTED.close()


def address() -> str:
    n = next(addresses)
    return f"100.64.{n // 250 % 250}.{n % 250 + 1}"


class Person(HttpUser):
    abstract = True

    def on_start(self):
        # As if an outer proxy had written each person's address (TRUSTED_PROXY_COUNT=2).
        self.client.headers["X-Forwarded-For"] = address()
        self.client.headers["Accept-Language"] = "vi"


class Visitor(Person):
    """Reads the catalogue, searches it, opens a procedure, looks up a dossier's status."""

    weight = 3

    @task(4)
    def catalogue(self):
        self.client.get("/thu-tuc/", name="catalogue list")

    @task(3)
    def search(self):
        self.client.get("/thu-tuc/", params={"q": random.choice(SEARCHES)}, name="catalogue search")

    @task(2)
    def procedure(self):
        self.client.get(f"/thu-tuc/{random.choice(CONFIG['procedure_codes'])}/", name="procedure detail")

    @task(2)
    def lookup(self):
        if not known_codes:
            return
        # Lookups come from many people (at most 20 a minute per address): a fresh address each.
        self.client.get(
            f"/tc/{random.choice(known_codes)}", name="public lookup /tc/<code>", headers={"X-Forwarded-For": address()}
        )


class Citizen(Person):
    """Submits one dossier after another: start, fill + two 200 KB files, review, submit."""

    weight = 2

    def on_start(self):
        super().on_start()
        citizen = next(citizens)
        self.client.cookies.set("sessionid", citizen["session"])
        self.client.cookies.set("csrftoken", CONFIG["csrf"])
        self.email = citizen["email"]

    @task
    def submit(self):
        procedure = CONFIG["procedure"]
        with self.client.get(
            f"/thu-tuc/{procedure['code']}/nop/", name="submit 1: start (→ draft)", catch_response=True
        ) as start:
            if "/ho-so/nhap/" not in start.url:
                start.failure(f"not a draft: {start.status_code} {start.url}")
                return
        draft_url = start.url
        data = {
            "csrfmiddlewaretoken": CONFIG["csrf"],
            "action": "review",
            "d-delivery": "online",
            "a-applicant_name": "Công ty Đo Tải",
            "a-applicant_id_number": "001099000001",
            "a-applicant_phone": "0999000001",
            "a-applicant_email": self.email,
            "a-applicant_address": "Số 9, Trung Tâm",
        }
        data.update({f"f-{name}": "giá trị" for name in procedure["fields"]})
        first, second = procedure["documents"]
        files = [
            (f"files-{first}", ("to-khai.pdf", PDF_200K, "application/pdf")),
            (f"files-{second}", ("cccd.png", PNG_200K, "image/png")),
        ]
        with self.client.post(
            draft_url,
            data=data,
            files=files,
            headers={"Referer": draft_url},
            name="submit 2: form + 2×200 KB (→ review)",
            catch_response=True,
        ) as review:
            if "/xem-lai/" not in review.url:
                review.failure(f"not the review page: {review.status_code} {review.url}")
                return
        with self.client.post(
            review.url,
            data={"csrfmiddlewaretoken": CONFIG["csrf"]},
            headers={"Referer": review.url},
            name="submit 3: submit (→ /ho-so/<code>/)",
            catch_response=True,
        ) as done:
            found = CODE.search(done.url) if done.status_code == 200 else None
            if not found or "/nhap/" in done.url:
                done.failure(f"not submitted: {done.status_code} {done.url}")
                return
        code = found.group(1)
        SUBMITTED.write(code + "\n")
        SUBMITTED.flush()
        to_receive.append(code)
        known_codes.append(code)


class Officer(Person):
    """A one-stop desk officer: the queue, a dossier's desk, then 'receive' (Form 01 by the worker)."""

    weight = 1

    def on_start(self):
        super().on_start()
        self.client.cookies.set("sessionid", next(officers)["session"])
        self.client.cookies.set("csrftoken", CONFIG["csrf"])

    @task
    def work(self):
        self.client.get("/can-bo/ho-so/", name="officer queue")
        if not to_receive:
            return
        code = to_receive.popleft()
        desk = f"/can-bo/ho-so/{code}/"
        self.client.get(desk, name="officer desk /can-bo/ho-so/<code>/")
        with self.client.post(
            f"{desk}receive/",
            data={
                "csrfmiddlewaretoken": CONFIG["csrf"],
                "expected_status": "submitted",
                "documents": CONFIG["procedure"]["documents"],
            },
            headers={"Referer": self.host + desk},
            name="officer transition 'receive'",
            catch_response=True,
        ) as response:
            if response.status_code != 200 or not response.url.endswith(desk):
                response.failure(f"not received: {response.status_code} {response.url}")
