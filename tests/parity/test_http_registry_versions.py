"""Raw HTTP: model version and alias RPCs (create with its source checks, get/update/stage/delete,
tags, download URI, search, aliases)."""

import pytest

PREFIXES = ("/api/2.0", "/ajax-api/2.0")
RM = "/mlflow/registered-models"
MV = "/mlflow/model-versions"
T0 = 1_600_000_000_000
MISSING_RUN = "0123456789abcdef0123456789abcdef"


def new_model(s, suffix="m", **extra):
    body = {"name": s.name(suffix)}
    body.update(extra)
    s.post(f"{RM}/create", body)
    return body["name"]


def new_version(s, name, source="s3://bucket/path/model", **extra):
    body = {"name": name, "source": source}
    body.update(extra)
    _, out = s.post(f"{MV}/create", body)
    return (out.get("model_version") or {}).get("version") if isinstance(out, dict) else None


def new_run(s):
    _, exp = s.post("/mlflow/experiments/create", {"name": s.name("exp")})
    _, out = s.post("/mlflow/runs/create", {"experiment_id": exp["experiment_id"], "start_time": T0})
    return out["run"]["info"]


@pytest.mark.rpc("ModelRegistryService.createModelVersion", "ModelRegistryService.getModelVersion", case="ok")
def test_create_and_get(parity):
    def sc(s):
        name = new_model(s, "cv")
        run = new_run(s)
        rid = run["run_id"]
        art = run["artifact_uri"]
        for p in PREFIXES:
            s.post(f"{MV}/create", {"name": name, "source": "s3://bucket/path/model"}, prefix=p)
        s.post(
            f"{MV}/create",
            {
                "name": name,
                "source": f"runs:/{rid}/model",
                "run_id": rid,
                "run_link": "http://link",
                "description": "d",
                "tags": [{"key": "b", "value": "1"}, {"key": "a", "value": "2"}, {"key": "b", "value": "3"}],
            },
        )
        s.post(f"{MV}/create", {"name": name, "source": f"{art}/model", "run_id": rid})
        s.post(f"{MV}/create", {"name": name, "source": "models:/" + name + "/2"})
        s.post(f"{MV}/create", {"name": name, "source": "models:/" + name + "/2", "run_id": rid})
        s.post(f"{MV}/transition-stage", {"name": name, "version": "2", "stage": "Production", "archive_existing_versions": False})
        s.post(f"{RM}/alias", {"name": name, "alias": "champ", "version": "3"})
        s.post(f"{MV}/create", {"name": name, "source": "models:/" + name + "@champ"})
        s.post(f"{MV}/create", {"name": name, "source": "models:/" + name + "/production"})
        s.post(f"{MV}/create", {"name": name, "source": "models:/" + name + "/latest"})
        s.post(f"{MV}/create", {"name": name, "source": "gs://bucket/a/b", "tags": [{"key": "k"}]})
        for v in ("1", "3", "4", "5", "6", "7", "8", "9", "01", " 2 "):
            s.get(f"{MV}/get", {"name": name, "version": v})
        for v in ("4", "6"):
            s.get(f"{MV}/get-download-uri", {"name": name, "version": v})
        s.get(f"{RM}/get", {"name": name})

    parity.check(sc)


@pytest.mark.rpc("ModelRegistryService.createModelVersion", case="error")
def test_create_errors(parity):
    def sc(s):
        name = new_model(s, "cverr")
        run = new_run(s)
        rid = run["run_id"]
        art = run["artifact_uri"]
        new_version(s, name)
        bad = [
            {"source": "s3://bucket/path/model"},
            {"name": s.name("missing"), "source": "s3://bucket/path/model"},
            {"name": name},
            {"name": name, "source": ""},
            {"name": name, "source": "/tmp/local/model"},
            {"name": name, "source": "file:///tmp/local/model"},
            {"name": name, "source": "relative/model"},
            {"name": name, "source": "/tmp/local/model", "run_id": rid},
            {"name": name, "source": "/tmp/local/model", "run_id": MISSING_RUN},
            {"name": name, "source": f"runs:/{rid}/model"},
            {"name": name, "source": f"runs:/{rid}/model", "run_id": MISSING_RUN},
            {"name": name, "source": f"runs://host/{rid}/model", "run_id": rid},
            {"name": name, "source": "runs:/", "run_id": rid},
            {"name": name, "source": "s3://bucket/a/../b"},
            {"name": name, "source": "s3://bucket/a/%2e%2e/b"},
            {"name": name, "source": "s3://bucket/a/./b"},
            {"name": name, "source": "s3://bucket"},
            {"name": name, "source": "http://evil.example.com/x"},
            {"name": name, "source": "mlflow-artifacts:/1/x/artifacts/model"},
            {"name": name, "source": f"{art}/model"},
            {"name": name, "source": f"{art}/model", "run_id": MISSING_RUN},
            {"name": name, "source": "mlflow-artifacts:/elsewhere/model", "run_id": rid},
            {"name": name, "source": "models:/" + name + "/99"},
            {"name": name, "source": "models:/" + s.name("missing") + "/1"},
            {"name": name, "source": "models:/" + name + "/1", "run_id": rid},
            {"name": name, "source": "models:/" + name + "@nope"},
            {"name": name, "source": "models:/" + name + "/Staging"},
            {"name": name, "source": "models://host/" + name + "/1"},
            {"name": name, "source": "models:/m-123"},
            {"name": name, "source": "models:/"},
            {"name": name, "source": "s3://bucket/x", "tags": [{"key": "bad!", "value": "v"}]},
            {"name": name, "source": "s3://bucket/x", "tags": [{"key": "mlflow.prompt.is_prompt", "value": "true"}]},
            {"name": "a/b", "source": "s3://bucket/x"},
            {"name": name, "source": "s3://bucket/x", "run_id": 5},
            {"name": name, "source": "s3://bucket/x", "tags": {"k": "v"}},
            {"name": name, "source": "s3://bucket/" + "x" * 600},
            {"name": name, "source": "s3://bucket/x", "run_link": "h" * 600},
        ]
        for body in bad:
            s.post(f"{MV}/create", body)
        s.get(f"{RM}/get", {"name": name})

    parity.check(sc)


@pytest.mark.rpc("ModelRegistryService.getModelVersion", "ModelRegistryService.getModelVersionDownloadUri", case="error")
def test_get_errors(parity):
    def sc(s):
        name = new_model(s, "geterr")
        new_version(s, name)
        for path in ("/get", "/get-download-uri"):
            s.get(f"{MV}{path}", {"name": name, "version": "2"})
            s.get(f"{MV}{path}", {"name": name, "version": "abc"})
            s.get(f"{MV}{path}", {"name": name})
            s.get(f"{MV}{path}", {"version": "1"})
            s.get(f"{MV}{path}", {"name": s.name("missing"), "version": "1"})
            s.get(f"{MV}{path}", {"name": name, "version": "99999999999"})

    parity.check(sc)


@pytest.mark.rpc("ModelRegistryService.getModelVersionDownloadUri", case="ok")
def test_download_uri(parity):
    def sc(s):
        name = new_model(s, "dl")
        new_version(s, name, source="s3://bucket/one")
        new_version(s, name, source=f"models:/{name}/1")
        for p in PREFIXES:
            s.get(f"{MV}/get-download-uri", {"name": name, "version": "1"}, prefix=p)
            s.get(f"{MV}/get-download-uri", {"name": name, "version": "2"}, prefix=p)

    parity.check(sc)


@pytest.mark.rpc("ModelRegistryService.updateModelVersion", "ModelRegistryService.transitionModelVersionStage", case="ok")
def test_update_and_transition(parity):
    def sc(s):
        name = new_model(s, "upd")
        for _ in range(4):
            new_version(s, name, description="orig")
        s.post(f"{RM}/alias", {"name": name, "alias": "a", "version": "1"})
        s.call("PATCH", f"{MV}/update", json_body={"name": name, "version": "1", "description": "new"})
        s.call("PATCH", f"{MV}/update", json_body={"name": name, "version": "2"})
        s.call("PATCH", f"{MV}/update", json_body={"name": name, "version": "3", "description": ""})
        for v, stage, archive in (("1", "Production", False), ("2", "production", True), ("3", "Staging", False), ("4", "Staging", True), ("1", "None", False), ("2", "Archived", False)):
            s.post(f"{MV}/transition-stage", {"name": name, "version": v, "stage": stage, "archive_existing_versions": archive})
        for v in ("1", "2", "3", "4"):
            s.get(f"{MV}/get", {"name": name, "version": v})
        s.get(f"{RM}/get", {"name": name})

    parity.check(sc)


@pytest.mark.rpc("ModelRegistryService.updateModelVersion", "ModelRegistryService.transitionModelVersionStage", case="error")
def test_update_and_transition_errors(parity):
    def sc(s):
        name = new_model(s, "upderr")
        new_version(s, name)
        s.call("PATCH", f"{MV}/update", json_body={"name": name, "version": "2", "description": "x"})
        s.call("PATCH", f"{MV}/update", json_body={"name": name, "version": "x", "description": "x"})
        s.call("PATCH", f"{MV}/update", json_body={"name": name, "description": "x"})
        s.call("PATCH", f"{MV}/update", json_body={"name": name, "version": "1", "description": 1})
        t = f"{MV}/transition-stage"
        s.post(t, {"name": name, "version": "1", "stage": "Bogus", "archive_existing_versions": False})
        s.post(t, {"name": name, "version": "1", "stage": "None", "archive_existing_versions": True})
        s.post(t, {"name": name, "version": "1", "stage": "Archived", "archive_existing_versions": True})
        s.post(t, {"name": name, "version": "2", "stage": "Staging", "archive_existing_versions": False})
        s.post(t, {"name": s.name("missing"), "version": "1", "stage": "Staging", "archive_existing_versions": False})
        s.post(t, {"name": name, "version": "1", "stage": "Staging"})
        s.post(t, {"name": name, "version": "1", "stage": "Staging", "archive_existing_versions": "yes"})
        s.post(t, {"name": name, "version": "1"})
        s.get(f"{MV}/get", {"name": name, "version": "1"})

    parity.check(sc)


@pytest.mark.rpc("ModelRegistryService.deleteModelVersion", case="both")
def test_delete(parity):
    def sc(s):
        name = new_model(s, "del")
        for _ in range(3):
            new_version(s, name, tags=[{"key": "t", "value": "v"}])
        s.post(f"{RM}/alias", {"name": name, "alias": "gone", "version": "2"})
        s.post(f"{RM}/alias", {"name": name, "alias": "stays", "version": "1"})
        s.call("DELETE", f"{MV}/delete", json_body={"name": name, "version": "2"})
        s.get(f"{MV}/get", {"name": name, "version": "2"})
        s.get(f"{RM}/get", {"name": name})
        s.get(f"{RM}/alias", {"name": name, "alias": "gone"})
        s.call("DELETE", f"{MV}/delete", json_body={"name": name, "version": "2"})
        s.call("DELETE", f"{MV}/delete", json_body={"name": name, "version": "x"})
        s.call("DELETE", f"{MV}/delete", json_body={"version": "x"})
        s.call("DELETE", f"{MV}/delete", json_body={"version": "1"})
        s.call("DELETE", f"{MV}/delete", json_body={"name": s.name("missing"), "version": "1"})
        # numbering continues after a deleted version
        new_version(s, name)
        s.get(f"{MV}/search", {"filter": f"name = '{name}'"})

    parity.check(sc)


@pytest.mark.rpc("ModelRegistryService.setModelVersionTag", "ModelRegistryService.deleteModelVersionTag", case="both")
def test_tags(parity):
    def sc(s):
        name = new_model(s, "mvtags")
        new_version(s, name)
        st, dt = f"{MV}/set-tag", f"{MV}/delete-tag"
        s.post(st, {"name": name, "version": "1", "key": "k1", "value": "v1"})
        s.post(st, {"name": name, "version": "1", "key": "k2", "value": "v2"})
        s.post(st, {"name": name, "version": "1", "key": "k1", "value": "v1b"})
        s.post(st, {"name": name, "version": "1", "key": "nv"})
        s.get(f"{MV}/get", {"name": name, "version": "1"})
        s.call("DELETE", dt, json_body={"name": name, "version": "1", "key": "k2"})
        s.call("DELETE", dt, json_body={"name": name, "version": "1", "key": "never"})
        s.get(f"{MV}/get", {"name": name, "version": "1"})
        # errors
        s.post(st, {"name": name, "version": "2", "key": "k", "value": "v"})
        s.post(st, {"name": name, "version": "x", "key": "k", "value": "v"})
        s.post(st, {"name": name, "version": "1", "key": "bad!", "value": "v"})
        s.post(st, {"name": name, "version": "1", "value": "v"})
        s.post(st, {"name": name, "version": "1", "key": "mlflow.prompt.text", "value": "x" * 100001})
        s.post(st, {"name": name, "version": "1", "key": "k", "value": "x" * 100001})
        s.call("DELETE", dt, json_body={"name": name, "version": "2", "key": "k"})
        s.call("DELETE", dt, json_body={"name": name, "version": "1"})
        s.call("DELETE", dt, json_body={"name": name, "version": "1", "key": "a/../b"})

    parity.check(sc)


@pytest.mark.rpc(
    "ModelRegistryService.setRegisteredModelAlias",
    "ModelRegistryService.deleteRegisteredModelAlias",
    "ModelRegistryService.getModelVersionByAlias",
    case="ok",
)
def test_aliases(parity):
    def sc(s):
        name = new_model(s, "alias")
        for _ in range(3):
            new_version(s, name)
        a = f"{RM}/alias"
        s.post(a, {"name": name, "alias": "champion", "version": "1"})
        s.post(a, {"name": name, "alias": "b-2_x", "version": "1"})
        s.post(a, {"name": name, "alias": "champion", "version": "2"})
        for p in PREFIXES:
            s.get(a, {"name": name, "alias": "champion"}, prefix=p)
        s.get(a, {"name": name, "alias": "latest"})
        s.get(a, {"name": name, "alias": "LATEST"})
        s.get(f"{MV}/get", {"name": name, "version": "1"})
        s.get(f"{RM}/get", {"name": name})
        s.call("DELETE", a, json_body={"name": name, "alias": "champion"})
        s.call("DELETE", a, json_body={"name": name, "alias": "never-set"})
        s.get(f"{RM}/get", {"name": name})

    parity.check(sc)


@pytest.mark.rpc(
    "ModelRegistryService.setRegisteredModelAlias",
    "ModelRegistryService.deleteRegisteredModelAlias",
    "ModelRegistryService.getModelVersionByAlias",
    case="error",
)
def test_alias_errors(parity):
    def sc(s):
        name = new_model(s, "aliaserr")
        empty = new_model(s, "noversions")
        new_version(s, name)
        a = f"{RM}/alias"
        for alias in ("latest", "Latest", "v1", "V22", "bad alias", "bad.alias", "x" * 256, ""):
            s.post(a, {"name": name, "alias": alias, "version": "1"})
        s.post(a, {"name": name, "alias": "ok", "version": "2"})
        s.post(a, {"name": name, "alias": "ok", "version": "x"})
        s.post(a, {"name": s.name("missing"), "alias": "ok", "version": "1"})
        s.post(a, {"name": name, "alias": "ok"})
        s.get(a, {"name": name, "alias": "nope"})
        s.get(a, {"name": empty, "alias": "latest"})
        s.get(a, {"name": s.name("missing"), "alias": "x"})
        s.get(a, {"name": name, "alias": "bad alias"})
        s.get(a, {"name": name})
        s.call("DELETE", a, json_body={"name": s.name("missing"), "alias": "x"})
        s.call("DELETE", a, json_body={"name": name, "alias": "bad alias"})
        s.call("DELETE", a, json_body={"name": name})

    parity.check(sc)


@pytest.mark.rpc("ModelRegistryService.searchModelVersions", case="ok")
def test_search(parity):
    def sc(s):
        run = new_run(s)
        rid = run["run_id"]
        a = new_model(s, "sv-a")
        b = new_model(s, "sv-b")
        p = new_model(s, "sv-prompt", tags=[{"key": "mlflow.prompt.is_prompt", "value": "true"}])
        new_version(s, a, tags=[{"key": "env", "value": "prod"}])
        new_version(s, a, source=f"runs:/{rid}/m", run_id=rid, tags=[{"key": "env", "value": "dev"}, {"key": "x", "value": "1"}])
        new_version(s, b, source="s3://bucket/other/path", tags=[{"key": "env", "value": "Prod"}])
        new_version(s, b)
        s.post(f"{MV}/create", {"name": p, "source": "dummy-source", "tags": [{"key": "mlflow.prompt.is_prompt", "value": "true"}, {"key": "mlflow.prompt.text", "value": "hi {{x}}"}]})
        s.call("DELETE", f"{MV}/delete", json_body={"name": b, "version": "2"})
        pre = s.name("sv-")
        base = f"name LIKE '{pre}%'"
        for q in PREFIXES:
            s.get(f"{MV}/search", {"filter": base, "order_by": ["name", "version_number"]}, prefix=q)
        for f in (
            f"name = '{a}'",
            f"name IN ('{a}', '{b}')",
            f"name NOT IN ('{a}') AND {base}",
            f"run_id = '{rid}'",
            f"run_id IN ('{rid}')",
            f"source_path = 's3://bucket/other/path'",
            f"source_path LIKE 's3://bucket/other%' AND {base}",
            f"version_number = 2 AND {base}",
            f"version_number > 1 AND {base}",
            f"version_number = '1' AND {base}",
            f"version_number < 99999999999 AND {base}",
            f"version_number = 99999999999 AND {base}",
            f"tags.env = 'prod' AND {base}",
            f"tags.env ILIKE 'prod' AND {base}",
            f"tags.env != 'prod' AND tags.x = '1' AND {base}",
            f"tags.`mlflow.prompt.is_prompt` = 'true' AND {base}",
            f"tags.`mlflow.prompt.is_prompt` != 'true' AND {base}",
        ):
            s.get(f"{MV}/search", {"filter": f, "order_by": ["name", "version_number"]})
        s.get(f"{MV}/search", {"filter": base, "order_by": ["version_number DESC", "name DESC"]})
        s.get(f"{MV}/search", {"filter": base, "order_by": ["creation_timestamp ASC"]})
        s.get(f"{MV}/search", {"filter": base, "order_by": ["name"], "max_results": 2})
        _, page = s.get(f"{MV}/search", {"filter": base, "order_by": ["name"], "max_results": 1})
        s.get(f"{MV}/search", {"filter": base, "order_by": ["name"], "max_results": 1, "page_token": page.get("next_page_token")})

    parity.check(sc)


@pytest.mark.rpc("ModelRegistryService.searchModelVersions", case="error")
def test_search_errors(parity):
    def sc(s):
        for f in (
            "name = 'a' OR name = 'b'",
            "description = 'x'",
            "foo.name = 'x'",
            "version_number IN ('1')",
            "version_number LIKE '1'",
            "version_number = 1.5",
            "version_number = 'abc'",
            "source_path IN ('a')",
            "run_id > 'a'",
            "run_id = 5",
            "tags.k IN ('a')",
            "tags.k = 5",
            "name IS NULL",
            "name = ",
        ):
            s.get(f"{MV}/search", {"filter": f})
        s.get(f"{MV}/search", {"max_results": 0})
        s.get(f"{MV}/search", {"max_results": 200001})
        s.get(f"{MV}/search", {"order_by": ["run_id"]})
        s.get(f"{MV}/search", {"order_by": ["tags.x"]})
        s.get(f"{MV}/search", {"order_by": ["name", "name"]})
        s.get(f"{MV}/search", {"order_by": ["name up"]})
        s.get(f"{MV}/search", {"page_token": "bad"})

    parity.check(sc)
