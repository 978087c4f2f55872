"""Raw HTTP: metric history (get-history, get-history-bulk-interval, the UI's get-history-bulk)."""

import pytest

from harness import group_by_run

PREFIXES = ("/api/2.0", "/ajax-api/2.0")
T0 = 1_600_000_000_000
MISSING_RUN = "0123456789abcdef0123456789abcdef"
BULK = "GET /ajax-api/2.0/mlflow/metrics/get-history-bulk"


def seed(s, n_runs=2, n_steps=12):
    _, out = s.post("/mlflow/experiments/create", {"name": s.name("m")})
    eid = out["experiment_id"]
    ids = []
    for r in range(n_runs):
        _, out = s.post("/mlflow/runs/create", {"experiment_id": eid, "start_time": T0 + r, "run_name": f"r{r}"})
        rid = out["run"]["info"]["run_id"]
        ids.append(rid)
        metrics = [{"key": "loss", "value": (r + 1) * 100 - st, "timestamp": T0 + st, "step": st} for st in range(n_steps)]
        # two values at one step, and a second key
        metrics.append({"key": "loss", "value": -1, "timestamp": T0 + 5000, "step": 3})
        metrics += [{"key": "acc", "value": st / 10, "timestamp": T0 + st, "step": st * 10} for st in range(3)]
        s.post("/mlflow/runs/log-batch", {"run_id": rid, "metrics": metrics}, record=False)
    return eid, ids


@pytest.mark.rpc("MlflowService.getMetricHistory", case="both")
def test_get_metric_history(parity):
    def sc(s):
        _, ids = seed(s, n_runs=1)
        rid = ids[0]
        for p in PREFIXES:
            s.get("/mlflow/metrics/get-history", {"run_id": rid, "metric_key": "loss"}, prefix=p)
        s.get("/mlflow/metrics/get-history", {"run_uuid": rid, "metric_key": "acc"})
        s.get("/mlflow/metrics/get-history", {"run_id": rid, "metric_key": "never"})
        s.get("/mlflow/metrics/get-history", {"run_id": rid, "metric_key": "loss", "max_results": "5"})
        _, out = s.get("/mlflow/metrics/get-history", {"run_id": rid, "metric_key": "loss", "max_results": "5"})
        token = out.get("next_page_token") if isinstance(out, dict) else None
        if token:
            s.get("/mlflow/metrics/get-history", {"run_id": rid, "metric_key": "loss", "max_results": "5", "page_token": token})
        # errors
        s.get("/mlflow/metrics/get-history", {"run_id": rid})
        s.get("/mlflow/metrics/get-history", {"metric_key": "loss"})
        s.get("/mlflow/metrics/get-history", {"run_id": MISSING_RUN, "metric_key": "loss"})
        s.get("/mlflow/metrics/get-history", {"run_id": rid, "metric_key": "loss", "max_results": "x"})
        s.get("/mlflow/metrics/get-history", {"run_id": rid, "metric_key": "loss", "max_results": "0"})
        s.get("/mlflow/metrics/get-history", {"run_id": rid, "metric_key": "loss", "page_token": "bad"})
        s.post("/mlflow/metrics/get-history", {"run_id": rid, "metric_key": "loss"})

    parity.check(sc)


@pytest.mark.rpc("MlflowService.getMetricHistoryBulkInterval", case="both")
def test_get_history_bulk_interval(parity):
    def sc(s):
        _, ids = seed(s, n_runs=3, n_steps=40)
        asc, desc = sorted(ids), sorted(ids, reverse=True)
        two = sorted(ids[:2])  # the same two runs in both orders
        for p in PREFIXES:
            for order in (two, two[::-1]):
                s.get(
                    "/mlflow/metrics/get-history-bulk-interval",
                    [("run_ids", i) for i in order] + [("metric_key", "loss")],
                    prefix=p,
                    transform=group_by_run("metrics", order, ids),
                )
        s.get(
            "/mlflow/metrics/get-history-bulk-interval",
            [("run_ids", i) for i in desc] + [("metric_key", "loss"), ("max_results", "5")],
            transform=group_by_run("metrics", desc, ids),
        )
        s.get("/mlflow/metrics/get-history-bulk-interval", [("run_ids", ids[0]), ("metric_key", "loss"), ("start_step", "3"), ("end_step", "9")])
        s.get("/mlflow/metrics/get-history-bulk-interval", [("run_ids", ids[0]), ("metric_key", "loss"), ("start_step", "3"), ("end_step", "9"), ("max_results", "3")])
        s.get("/mlflow/metrics/get-history-bulk-interval", [("run_ids", ids[2]), ("metric_key", "acc")])
        s.get("/mlflow/metrics/get-history-bulk-interval", [("run_ids", ids[2]), ("metric_key", "never")])
        # errors
        s.get("/mlflow/metrics/get-history-bulk-interval", [("metric_key", "loss")])
        s.get("/mlflow/metrics/get-history-bulk-interval", [("run_ids", ids[0])])
        s.get("/mlflow/metrics/get-history-bulk-interval", [("run_ids", ids[0]), ("metric_key", "loss"), ("start_step", "9"), ("end_step", "3")])
        s.get("/mlflow/metrics/get-history-bulk-interval", [("run_ids", ids[0]), ("metric_key", "loss"), ("start_step", "3")])
        s.get("/mlflow/metrics/get-history-bulk-interval", [("run_ids", ids[0]), ("metric_key", "loss"), ("max_results", "0")])
        s.get("/mlflow/metrics/get-history-bulk-interval", [("run_ids", ids[0]), ("metric_key", "loss"), ("max_results", "2001")])
        s.get("/mlflow/metrics/get-history-bulk-interval", [("run_ids", ids[0]), ("metric_key", "loss"), ("max_results", "ten")])
        s.get("/mlflow/metrics/get-history-bulk-interval", [("run_ids", f"{i:032x}") for i in range(101)] + [("metric_key", "loss")])
        s.get("/mlflow/metrics/get-history-bulk-interval", [("run_ids", MISSING_RUN), ("metric_key", "loss")])

    parity.check(sc)


@pytest.mark.rpc(BULK, case="both")
def test_get_history_bulk_ajax(parity):
    def sc(s):
        _, ids = seed(s, n_runs=2, n_steps=8)
        p = "/ajax-api/2.0"
        for order in (sorted(ids), sorted(ids, reverse=True)):
            s.get(
                "/mlflow/metrics/get-history-bulk",
                [("run_id", i) for i in order] + [("metric_key", "loss")],
                prefix=p,
                transform=group_by_run("metrics", order, ids),
            )
        s.get("/mlflow/metrics/get-history-bulk", [("run_id", ids[0]), ("metric_key", "acc")], prefix=p)
        s.get("/mlflow/metrics/get-history-bulk", [("run_id", ids[0]), ("metric_key", "loss"), ("max_results", "4")], prefix=p)
        s.get("/mlflow/metrics/get-history-bulk", [("run_id", MISSING_RUN), ("metric_key", "loss")], prefix=p)
        s.get("/mlflow/metrics/get-history-bulk", [("run_id", ids[0]), ("metric_key", "never")], prefix=p)
        # errors and edges
        s.get("/mlflow/metrics/get-history-bulk", [("metric_key", "loss")], prefix=p)
        s.get("/mlflow/metrics/get-history-bulk", [("run_id", ids[0])], prefix=p)
        s.get("/mlflow/metrics/get-history-bulk", [("run_id", f"{i:032x}") for i in range(101)] + [("metric_key", "loss")], prefix=p)
        s.get("/mlflow/metrics/get-history-bulk", [("run_id", ids[0]), ("metric_key", "loss"), ("max_results", "x")], prefix=p)
        s.get("/mlflow/metrics/get-history-bulk", [("run_id", ids[0]), ("metric_key", "loss")], prefix="/api/2.0")

    parity.check(sc)
