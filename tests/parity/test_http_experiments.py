"""Raw HTTP: the experiment RPCs, on /api/2.0 and /ajax-api/2.0, valid and bad requests."""

import pytest

PREFIXES = ("/api/2.0", "/ajax-api/2.0")


def new_exp(s, suffix="e", tags=None, prefix="/api/2.0"):
    body = {"name": s.name(suffix)}
    if tags is not None:
        body["tags"] = tags
    status, out = s.post("/mlflow/experiments/create", body, prefix=prefix)
    return out.get("experiment_id") if isinstance(out, dict) else None


@pytest.mark.rpc("MlflowService.createExperiment", "MlflowService.getExperiment", case="ok")
def test_create_and_get(parity):
    def sc(s):
        for i, prefix in enumerate(PREFIXES):
            eid = new_exp(s, f"p{i}", tags=[{"key": "team", "value": "x"}, {"key": "empty", "value": ""}], prefix=prefix)
            for p in PREFIXES:
                s.get("/mlflow/experiments/get", {"experiment_id": eid}, prefix=p)
        # artifact_location given by the client
        s.post("/mlflow/experiments/create", {"name": s.name("art"), "artifact_location": "/tmp/somewhere/else"})

    parity.check(sc)


@pytest.mark.rpc("MlflowService.createExperiment", case="error")
def test_create_errors(parity):
    def sc(s):
        new_exp(s, "dup")
        s.post("/mlflow/experiments/create", {"name": s.name("dup")})  # already exists
        s.post("/mlflow/experiments/create", {})  # missing name
        s.post("/mlflow/experiments/create", {"name": ""})
        s.post("/mlflow/experiments/create", {"name": 123})
        s.post("/mlflow/experiments/create", {"name": ["a"]})
        s.post("/mlflow/experiments/create", {"name": s.name("badtags"), "tags": [{"key": "k"}]})
        s.post("/mlflow/experiments/create", {"name": s.name("badtags2"), "tags": {"k": "v"}})
        s.post("/mlflow/experiments/create", {"name": s.name("longtag"), "tags": [{"key": "k", "value": "v" * 5001}]})
        s.post("/mlflow/experiments/create", {"name": s.name("badart"), "artifact_location": "bogus-scheme://x?y#z"})
        s.post("/mlflow/experiments/create", {"name": s.name("unknown"), "no_such_field": 1})
        s.call("POST", "/mlflow/experiments/create", data='{"name": "x"', headers={"Content-Type": "application/json"})

    parity.check(sc)


@pytest.mark.rpc("MlflowService.getExperiment", "MlflowService.getExperimentByName", case="error")
def test_get_errors(parity):
    def sc(s):
        s.get("/mlflow/experiments/get", {"experiment_id": "987654321"})
        s.get("/mlflow/experiments/get", {})
        s.get("/mlflow/experiments/get", {"experiment_id": "not-a-number"})
        s.get("/mlflow/experiments/get", {"experiment_id": ""})
        s.get("/mlflow/experiments/get-by-name", {"experiment_name": s.name("nope")})
        s.get("/mlflow/experiments/get-by-name", {})
        s.get("/mlflow/experiments/get-by-name", {"experiment_name": ""})

    parity.check(sc)


@pytest.mark.rpc("MlflowService.getExperimentByName", case="ok")
def test_get_by_name(parity):
    def sc(s):
        new_exp(s, "named")
        for p in PREFIXES:
            s.get("/mlflow/experiments/get-by-name", {"experiment_name": s.name("named")}, prefix=p)
        s.get("/mlflow/experiments/get-by-name", {"experiment_name": "Default"})
        s.get("/mlflow/experiments/get", {"experiment_id": "0"})

    parity.check(sc)


@pytest.mark.rpc(
    "MlflowService.updateExperiment",
    "MlflowService.deleteExperiment",
    "MlflowService.restoreExperiment",
    case="both",
)
def test_update_delete_restore(parity):
    def sc(s):
        eid = new_exp(s, "u")
        s.post("/mlflow/experiments/update", {"experiment_id": eid, "new_name": s.name("u2")})
        s.get("/mlflow/experiments/get", {"experiment_id": eid})
        new_exp(s, "taken")
        s.post("/mlflow/experiments/update", {"experiment_id": eid, "new_name": s.name("taken")})
        s.post("/mlflow/experiments/update", {"experiment_id": eid})
        s.post("/mlflow/experiments/update", {"experiment_id": eid, "new_name": ""})
        s.post("/mlflow/experiments/update", {"experiment_id": "987654321", "new_name": s.name("zz")})
        s.post("/mlflow/experiments/delete", {"experiment_id": eid}, prefix="/ajax-api/2.0")
        s.get("/mlflow/experiments/get", {"experiment_id": eid})
        s.post("/mlflow/experiments/update", {"experiment_id": eid, "new_name": s.name("u3")})
        s.post("/mlflow/experiments/delete", {"experiment_id": eid})
        s.get("/mlflow/experiments/get-by-name", {"experiment_name": s.name("u2")})
        s.post("/mlflow/experiments/create", {"name": s.name("u2")})  # name held by a deleted experiment
        s.post("/mlflow/experiments/restore", {"experiment_id": eid})
        s.get("/mlflow/experiments/get", {"experiment_id": eid})
        s.post("/mlflow/experiments/restore", {"experiment_id": eid})
        s.post("/mlflow/experiments/restore", {"experiment_id": "987654321"})
        s.post("/mlflow/experiments/delete", {"experiment_id": "987654321"})
        s.post("/mlflow/experiments/delete", {})
        s.post("/mlflow/experiments/restore", {})
        s.post("/mlflow/experiments/delete", {"experiment_id": "0"})
        s.get("/mlflow/experiments/get", {"experiment_id": "0"})
        s.post("/mlflow/experiments/restore", {"experiment_id": "0"})

    parity.check(sc)


@pytest.mark.rpc("MlflowService.setExperimentTag", "MlflowService.deleteExperimentTag", case="both")
def test_experiment_tags(parity):
    def sc(s):
        eid = new_exp(s, "t")
        for p in PREFIXES:
            s.post("/mlflow/experiments/set-experiment-tag", {"experiment_id": eid, "key": "k" + p[1:4], "value": "v"}, prefix=p)
        s.post("/mlflow/experiments/set-experiment-tag", {"experiment_id": eid, "key": "k", "value": "v2"})
        s.post("/mlflow/experiments/set-experiment-tag", {"experiment_id": eid, "key": "k", "value": "v3"})
        s.post("/mlflow/experiments/set-experiment-tag", {"experiment_id": eid, "key": "empty", "value": ""})
        s.post("/mlflow/experiments/set-experiment-tag", {"experiment_id": eid, "key": "mlflow.note.content", "value": "# hi"})
        s.get("/mlflow/experiments/get", {"experiment_id": eid})
        # errors
        s.post("/mlflow/experiments/set-experiment-tag", {"experiment_id": eid, "value": "v"})
        s.post("/mlflow/experiments/set-experiment-tag", {"experiment_id": eid, "key": "k"})
        s.post("/mlflow/experiments/set-experiment-tag", {"experiment_id": eid, "key": "", "value": "v"})
        s.post("/mlflow/experiments/set-experiment-tag", {"experiment_id": eid, "key": "../x", "value": "v"})
        s.post("/mlflow/experiments/set-experiment-tag", {"experiment_id": eid, "key": "k" * 251, "value": "v"})
        s.post("/mlflow/experiments/set-experiment-tag", {"experiment_id": eid, "key": "big", "value": "v" * 5001})
        s.post("/mlflow/experiments/set-experiment-tag", {"experiment_id": "987654321", "key": "k", "value": "v"})
        s.post("/mlflow/experiments/set-experiment-tag", {"experiment_id": eid, "key": 5, "value": 6})
        # delete
        for p in PREFIXES:
            s.post("/mlflow/experiments/delete-experiment-tag", {"experiment_id": eid, "key": "k" + p[1:4]}, prefix=p)
        s.post("/mlflow/experiments/delete-experiment-tag", {"experiment_id": eid, "key": "never-set"})
        s.post("/mlflow/experiments/delete-experiment-tag", {"experiment_id": eid})
        s.post("/mlflow/experiments/delete-experiment-tag", {"experiment_id": "987654321", "key": "k"})
        s.get("/mlflow/experiments/get", {"experiment_id": eid})
        # on a deleted experiment
        s.post("/mlflow/experiments/delete", {"experiment_id": eid})
        s.post("/mlflow/experiments/set-experiment-tag", {"experiment_id": eid, "key": "k", "value": "v"})
        s.post("/mlflow/experiments/delete-experiment-tag", {"experiment_id": eid, "key": "k"})

    parity.check(sc)


@pytest.mark.rpc("MlflowService.searchExperiments", case="both")
def test_search_experiments(parity):
    def sc(s):
        ids = []
        for i in range(5):
            ids.append(new_exp(s, f"s{i}", tags=[{"key": "idx", "value": str(i)}, {"key": "grp", "value": "ab"[i % 2]}]))
        s.post("/mlflow/experiments/delete", {"experiment_id": ids[4]})
        like = f"name LIKE '{s.name('s')}%'"
        for p in PREFIXES:
            s.post("/mlflow/experiments/search", {"filter": like}, prefix=p)
            s.get("/mlflow/experiments/search", {"filter": like, "max_results": "3"}, prefix=p)
        s.post("/mlflow/experiments/search", {"filter": like, "view_type": "ALL"})
        s.post("/mlflow/experiments/search", {"filter": like, "view_type": "DELETED_ONLY"})
        s.get("/mlflow/experiments/search", {"filter": like, "view_type": "ACTIVE_ONLY"})
        s.post("/mlflow/experiments/search", {"filter": like + " AND tags.grp = 'a'", "order_by": ["name DESC"]})
        s.post("/mlflow/experiments/search", {"filter": like, "order_by": ["tags.idx ASC"]})
        s.post("/mlflow/experiments/search", {"filter": like, "order_by": ["creation_time DESC", "name"]})
        s.post("/mlflow/experiments/search", {"filter": f"name ILIKE '{s.name('S').upper()}%'"})
        s.post("/mlflow/experiments/search", {"filter": f"name = '{s.name('s3')}'"})
        s.post("/mlflow/experiments/search", {"filter": like + " AND tags.idx != '1'"})
        s.post("/mlflow/experiments/search", {"filter": like + " AND tags.idx IS NULL"})
        # paging
        status, page = s.post("/mlflow/experiments/search", {"filter": like, "max_results": 2, "order_by": ["name"]})
        token = page.get("next_page_token") if isinstance(page, dict) else None
        while token:
            status, page = s.post(
                "/mlflow/experiments/search",
                {"filter": like, "max_results": 2, "order_by": ["name"], "page_token": token},
            )
            token = page.get("next_page_token") if isinstance(page, dict) else None

    parity.check(sc)


@pytest.mark.rpc("MlflowService.searchExperiments", case="error")
def test_search_experiments_errors(parity):
    def sc(s):
        s.post("/mlflow/experiments/search", {"filter": "name = "})
        s.post("/mlflow/experiments/search", {"filter": "nonsense ~~ 1"})
        s.post("/mlflow/experiments/search", {"filter": "attributes.foo = 'x'"})
        s.post("/mlflow/experiments/search", {"filter": "name = 'a' OR name = 'b'"})
        s.post("/mlflow/experiments/search", {"order_by": ["bogus"]})
        s.post("/mlflow/experiments/search", {"order_by": ["name SIDEWAYS"]})
        s.post("/mlflow/experiments/search", {"max_results": 0})
        s.post("/mlflow/experiments/search", {"max_results": -1})
        s.post("/mlflow/experiments/search", {"max_results": 50001})
        s.post("/mlflow/experiments/search", {"max_results": "ten"})
        s.post("/mlflow/experiments/search", {"page_token": "not-a-token"})
        s.post("/mlflow/experiments/search", {"page_token": "eyJvZmZzZXQiOiAtMX0="})
        s.post("/mlflow/experiments/search", {"view_type": "SOMETIMES"})
        s.post("/mlflow/experiments/search", {"view_type": 7})
        s.get("/mlflow/experiments/search", {"max_results": "abc"})
        s.get("/mlflow/experiments/search", {"view_type": "bogus"})
        s.get("/mlflow/experiments/search", {"filter": "name = 'x' AND"})

    parity.check(sc)
