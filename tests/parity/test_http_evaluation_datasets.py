"""Raw HTTP: searchEvaluationDatasets (POST/GET datasets/search on /api/3.0 and /ajax-api/3.0), the
evaluation datasets the traces page lists.

Datasets are created with createDataset (plus set-tags), which mlflow-ts still forwards to its
Python child: the candidate is mlflow-ts with its child, answering the searches natively from
what the child wrote. Dataset ids are random and times are wall-clock per side: the recorded
searches name each dataset by its (test-relative) name and blank its digest and times; the
order (which the times decide) still compares, as creations are spaced so that no two times tie.
"""

import json
import time

import pytest

from conftest import DIALECTS, open_pair
from test_http_runs import new_exp


@pytest.fixture(scope="module", params=DIALECTS)
def server_pair(request, tmp_path_factory):
    yield from open_pair(request.param, tmp_path_factory, "parity-eval-datasets", kind="ts-proxy")


V3 = "/api/3.0"
ROUTE = "/mlflow/datasets/search"


def create(s, name, exp_ids, tags=None):
    body = {"name": name, "experiment_ids": exp_ids}
    if tags is not None:
        body["tags"] = json.dumps(tags)
    _, out = s.post("/mlflow/datasets/create", body, prefix=V3, record=False)
    time.sleep(0.02)
    return out["dataset"]["dataset_id"]


def canon(s):
    """A transform naming datasets by name and times by rank (per side)."""

    def tf(body):
        out = dict(body)
        rows = []
        for d in body.get("datasets", []):
            d = dict(d)
            if isinstance(d.get("digest"), str) and len(d["digest"]) == 8:
                d["digest"] = "<digest>"
            d["dataset_id"] = "<ds:" + d.get("name", "?") + ">" if d.get("dataset_id", "").startswith("d-") else d.get("dataset_id")
            for k in ("created_time", "last_update_time"):
                if k in d:
                    d[k] = f"<{k}:{type(d[k]).__name__}>"
            rows.append(d)
        if "datasets" in body:
            out["datasets"] = rows
        return out

    return tf


def search(s, body, label=None, prefix=V3, **kw):
    return s.post(ROUTE, body, prefix=prefix, label=label, transform=canon(s), **kw)


@pytest.mark.rpc("MlflowService.searchEvaluationDatasets", case="ok")
def test_search_evaluation_datasets(parity):
    def sc(s):
        e1, e2, empty = new_exp(s, "a"), new_exp(s, "b"), new_exp(s, "c")
        create(s, s.name("alpha"), [e1], {"team": "x", "mlflow.user": "alice", "é": "ü"})
        create(s, s.name("beta"), [e1, e2], {"team": "y"})
        create(s, s.name("Gamma"), [e2])
        d4 = create(s, s.name("delta"), [e1], {"2": "two", "1": "one", "b": "q\"uote"})
        create(s, s.name("epsilon"), [e1])
        create(s, s.name("zeta"), [])
        # a later update of an older dataset: last_update_time no longer follows created_time
        s.call("PATCH", f"/mlflow/datasets/{d4}/tags", json_body={"tags": json.dumps({"team": "z", "a": None})}, prefix=V3, record=False)
        time.sleep(0.02)

        search(s, {"experiment_ids": [e1]}, label="one experiment")
        search(s, {"experiment_ids": [e1, e2]}, label="two experiments")
        search(s, {"experiment_ids": [e2, e1, e2]}, label="repeated ids")
        search(s, {"experiment_ids": [empty]}, label="no datasets")
        search(s, {"experiment_ids": ["987654321"]}, label="unknown experiment")
        search(s, {"experiment_ids": [e1]}, prefix="/ajax-api/3.0", label="ajax")
        s.get(ROUTE, params={"experiment_ids": [e1, e2]}, prefix=V3, label="GET", transform=canon(s))
        s.get(ROUTE, params={"experiment_ids": e2, "max_results": 1}, prefix="/ajax-api/3.0", label="GET ajax paged", transform=canon(s))
        for order in (
            ["name"], ["name ASC"], ["name DESC"], ["created_time"], ["created_time ASC"],
            ["created_time DESC"], ["last_update_time"], ["last_update_time DESC"],
            ["last_update_time ASC", "name DESC"], ["`name` desc"], ["name asc", "name desc"],
        ):
            search(s, {"experiment_ids": [e1, e2], "order_by": order}, label=f"order {order}")
        # paging through to the end
        for order in ([], ["name ASC"]):
            token = None
            for i in range(6):
                body = {"experiment_ids": [e1, e2], "max_results": 2, "order_by": order}
                if token:
                    body["page_token"] = token
                _, out = search(s, body, label=f"page {i} {order}")
                token = out.get("next_page_token") if isinstance(out, dict) else None
                if not token:
                    break
        search(s, {"experiment_ids": [e1], "max_results": 4}, label="exactly four")
        search(s, {"experiment_ids": [e1], "max_results": 3}, label="three of four")
        search(s, {"experiment_ids": [e1, e2], "max_results": 50000}, label="max")
        search(s, {"experiment_ids": [e1], "max_results": 2, "page_token": "eyJvZmZzZXQiOiAxMH0="}, label="past the end")
        # filters
        both = [e1, e2]
        for flt in (
            f"name = '{s.name('alpha')}'",
            f"name = '{s.name('ALPHA')}'",
            f"name != '{s.name('beta')}'",
            "name LIKE '%ta'",
            "name LIKE '%TA'",
            "name ILIKE '%GAMMA'",
            "name ILIKE '%a%' AND name LIKE '%t%'",
            "tags.team = 'y'",
            "tags.team != 'y'",
            "tags.team LIKE '%'",
            "tags.team ILIKE 'Z'",
            "tags.team = 'Y'",
            "tags.b = 'q\"uote'",
            "tags.nope = 'x'",
            "created_by = 'alice'",
            "created_by != 'alice'",
            "last_updated_by LIKE 'a%'",
            "created_time > 0",
            "created_time < 1000",
            "created_time >= 1 AND last_update_time <= 99999999999999",
            "last_update_time != 5 AND tags.team != 'x'",
            "created_time = 0",
            # forms the Python server answers
            "name IN ('a', 'b')",
            "tags.`team` = 'y'",
            "created_time > 1.5",
            "tags.team IS NULL",
            "name = \"x\"",
        ):
            search(s, {"experiment_ids": both, "filter_string": flt}, label=f"filter {flt!r}")
        search(s, {"experiment_ids": both, "filter_string": "name LIKE '%a'", "order_by": ["name"], "max_results": 1}, label="filter paged")
        search(s, {"filter_string": "tags.team != 'nobody'"}, label="filter, no experiments")
        # no experiment ids: every dataset of the database (this module creates them only here)
        search(s, {}, label="all")
        search(s, {"experiment_ids": []}, label="empty list")
        search(s, {"order_by": ["name DESC"], "max_results": 3}, label="all by name")

    parity.check(sc)


@pytest.mark.rpc("MlflowService.searchEvaluationDatasets", case="error")
def test_search_evaluation_datasets_errors(parity):
    def sc(s):
        e1 = new_exp(s, "a")
        # (1.5: an intentional difference, docs/parity-differences.md section 2)
        for mr in (0, -1, 50001, "x", "7"):
            search(s, {"experiment_ids": [e1], "max_results": mr}, label=f"max_results {mr!r}")
        for tok in ("junk", "abc", "eyJvZmZzZXQiOiAwfQ==", "eyJmb28iOiAxfQ==", "WzFd", "", "bm90IGpzb24=", "eyJvZmZzZXQiOiAtMX0=", "eyJvZmZzZXQiOiAiMyJ9"):
            search(s, {"experiment_ids": [e1], "page_token": tok}, label=f"token {tok!r}")
        for flt in ("name ~ 'x'", "bogus = 1", "tags.a > 'x'", "created_time = 'x'", "name IN ('a')"):
            search(s, {"experiment_ids": [e1], "filter_string": flt}, label=f"filter {flt!r}")
        for order in (
            ["tags.team"], ["foo.bar ASC"], ["name sideways"], ["name ASC DESC"], [""], ["(name)"],
            ["name", "tags.x DESC"], ["bogus"], ["dataset_id"],
        ):
            search(s, {"experiment_ids": [e1], "order_by": order}, label=f"order {order}")
        search(s, {"experiment_ids": e1}, label="ids not a list")
        search(s, {"experiment_ids": [e1], "order_by": "name"}, label="order_by not a list")
        search(s, {"experiment_ids": [e1], "filter_string": 3}, label="filter not a string")
        search(s, {"experiment_ids": [e1], "max_results": 0, "page_token": "junk"}, label="max_results first")
        search(s, {"experiment_ids": [e1], "page_token": "junk", "order_by": ["tags.x"]}, label="token before order")

    parity.check(sc)
