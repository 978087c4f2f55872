"""Raw HTTP: registered model RPCs (create/get/update/rename/delete/tags/search/latest versions)."""

import pytest

PREFIXES = ("/api/2.0", "/ajax-api/2.0")
RM = "/mlflow/registered-models"
MV = "/mlflow/model-versions"


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


@pytest.mark.rpc("ModelRegistryService.createRegisteredModel", "ModelRegistryService.getRegisteredModel", case="ok")
def test_create_and_get(parity):
    def sc(s):
        for i, p in enumerate(PREFIXES):
            s.post(
                f"{RM}/create",
                {"name": s.name(f"m{i}"), "description": "desc", "tags": [{"key": "b", "value": "1"}, {"key": "a", "value": "2"}, {"key": "b", "value": "3"}]},
                prefix=p,
            )
            for q in PREFIXES:
                s.get(f"{RM}/get", {"name": s.name(f"m{i}")}, prefix=q)
        new_model(s, "plain")
        s.get(f"{RM}/get", {"name": s.name("plain")})
        new_model(s, "tagnoval", tags=[{"key": "k"}])
        s.get(f"{RM}/get", {"name": s.name("tagnoval")})
        name = new_model(s, "withversions")
        for i in range(3):
            new_version(s, name, description=f"v{i}", tags=[{"key": "t", "value": str(i)}])
        s.post(f"{MV}/transition-stage", {"name": name, "version": "1", "stage": "Production", "archive_existing_versions": False})
        s.post(f"{MV}/transition-stage", {"name": name, "version": "3", "stage": "Staging", "archive_existing_versions": False})
        s.post(f"{RM}/alias", {"name": name, "alias": "champ", "version": "2"})
        s.post(f"{RM}/alias", {"name": name, "alias": "a_first", "version": "2"})
        s.get(f"{RM}/get", {"name": name})

    parity.check(sc)


@pytest.mark.rpc("ModelRegistryService.createRegisteredModel", "ModelRegistryService.getRegisteredModel", case="error")
def test_create_and_get_errors(parity):
    def sc(s):
        new_model(s, "dup")
        s.post(f"{RM}/create", {"name": s.name("dup")})
        s.post(f"{RM}/create", {"name": s.name("dup"), "tags": [{"key": "mlflow.prompt.is_prompt", "value": "true"}]})
        s.post(f"{RM}/create", {"name": s.name("prompt"), "tags": [{"key": "mlflow.prompt.is_prompt", "value": "true"}]})
        s.post(f"{RM}/create", {"name": s.name("prompt")})
        s.post(f"{RM}/create", {})
        s.post(f"{RM}/create", {"name": ""})
        s.post(f"{RM}/create", {"name": "   "})
        s.post(f"{RM}/create", {"name": 5})
        s.post(f"{RM}/create", {"name": "a/b"})
        s.post(f"{RM}/create", {"name": "a:b"})
        s.post(f"{RM}/create", {"name": ".."})
        s.post(f"{RM}/create", {"name": "..x"})
        s.post(f"{RM}/create", {"name": s.name("badtag"), "tags": [{"key": "bad key!", "value": "v"}]})
        s.post(f"{RM}/create", {"name": s.name("emptykey"), "tags": [{"value": "v"}]})
        s.post(f"{RM}/create", {"name": s.name("longkey"), "tags": [{"key": "k" * 251, "value": "v"}]})
        s.post(f"{RM}/create", {"name": s.name("longval"), "tags": [{"key": "k", "value": "v" * 100001}]})
        s.post(f"{RM}/create", {"name": s.name("tagsdict"), "tags": {"k": "v"}})
        s.post(f"{RM}/create", {"name": s.name("desc"), "description": 3})
        # beyond the columns' sizes: SQLite stores it, PostgreSQL refuses it (as MLflow reports it)
        s.post(f"{RM}/create", {"name": "n" * 300})
        s.post(f"{RM}/create", {"name": s.name("longdesc"), "description": "d" * 5001})
        s.get(f"{RM}/get", {"name": s.name("missing")})
        s.get(f"{RM}/get", {})
        s.get(f"{RM}/get", {"name": "x/y"})

    parity.check(sc)


@pytest.mark.rpc("ModelRegistryService.updateRegisteredModel", "ModelRegistryService.renameRegisteredModel", case="ok")
def test_update_and_rename(parity):
    def sc(s):
        name = new_model(s, "orig", description="first", tags=[{"key": "k", "value": "v"}])
        new_version(s, name, tags=[{"key": "vt", "value": "1"}])
        new_version(s, name)
        s.post(f"{RM}/alias", {"name": name, "alias": "best", "version": "2"})
        s.call("PATCH", f"{RM}/update", json_body={"name": name, "description": "second"})
        s.call("PATCH", f"{RM}/update", json_body={"name": name})
        s.get(f"{RM}/get", {"name": name})
        s.post(f"{RM}/rename", {"name": name, "new_name": s.name("renamed")})
        s.get(f"{RM}/get", {"name": s.name("renamed")})
        s.get(f"{RM}/get", {"name": name})
        s.get(f"{MV}/get", {"name": s.name("renamed"), "version": "1"})
        s.get(f"{RM}/alias", {"name": s.name("renamed"), "alias": "best"})
        s.post(f"{RM}/rename", {"name": s.name("renamed"), "new_name": s.name("renamed")}, prefix="/ajax-api/2.0")

    parity.check(sc)


@pytest.mark.rpc("ModelRegistryService.updateRegisteredModel", "ModelRegistryService.renameRegisteredModel", case="error")
def test_update_and_rename_errors(parity):
    def sc(s):
        a = new_model(s, "a")
        b = new_model(s, "b")
        s.call("PATCH", f"{RM}/update", json_body={"name": s.name("missing"), "description": "x"})
        s.call("PATCH", f"{RM}/update", json_body={"description": "x"})
        s.call("PATCH", f"{RM}/update", json_body={"name": a, "description": ["x"]})
        s.post(f"{RM}/rename", {"name": a, "new_name": b})
        s.post(f"{RM}/rename", {"name": a})
        s.post(f"{RM}/rename", {"name": a, "new_name": " "})
        s.post(f"{RM}/rename", {"name": a, "new_name": "x/y"})
        s.post(f"{RM}/rename", {"name": s.name("missing"), "new_name": s.name("other")})
        s.post(f"{RM}/rename", {"name": "", "new_name": s.name("other")})
        s.get(f"{RM}/get", {"name": a})

    parity.check(sc)


@pytest.mark.rpc("ModelRegistryService.deleteRegisteredModel", case="both")
def test_delete(parity):
    def sc(s):
        name = new_model(s, "gone", tags=[{"key": "k", "value": "v"}])
        new_version(s, name, tags=[{"key": "t", "value": "1"}])
        s.post(f"{RM}/alias", {"name": name, "alias": "al", "version": "1"})
        s.call("DELETE", f"{RM}/delete", json_body={"name": name})
        s.get(f"{RM}/get", {"name": name})
        s.get(f"{MV}/get", {"name": name, "version": "1"})
        s.call("DELETE", f"{RM}/delete", json_body={"name": name})
        s.call("DELETE", f"{RM}/delete", json_body={})
        # recreated under the same name: nothing of the old one is left
        new_model(s, "gone")
        new_version(s, name)
        s.get(f"{RM}/get", {"name": name})
        s.get(f"{MV}/get", {"name": name, "version": "1"})

    parity.check(sc)


@pytest.mark.rpc("ModelRegistryService.setRegisteredModelTag", "ModelRegistryService.deleteRegisteredModelTag", case="ok")
def test_tags(parity):
    def sc(s):
        name = new_model(s, "tags")
        s.post(f"{RM}/set-tag", {"name": name, "key": "k1", "value": "v1"})
        s.post(f"{RM}/set-tag", {"name": name, "key": "k2", "value": "v2"})
        s.post(f"{RM}/set-tag", {"name": name, "key": "k1", "value": "v1b"})
        s.post(f"{RM}/set-tag", {"name": name, "key": "novalue"})
        s.get(f"{RM}/get", {"name": name})
        s.call("DELETE", f"{RM}/delete-tag", json_body={"name": name, "key": "k2"})
        s.call("DELETE", f"{RM}/delete-tag", json_body={"name": name, "key": "never-set"})
        s.get(f"{RM}/get", {"name": name})

    parity.check(sc)


@pytest.mark.rpc("ModelRegistryService.setRegisteredModelTag", "ModelRegistryService.deleteRegisteredModelTag", case="error")
def test_tag_errors(parity):
    def sc(s):
        name = new_model(s, "tagerr")
        s.post(f"{RM}/set-tag", {"name": s.name("missing"), "key": "k", "value": "v"})
        s.post(f"{RM}/set-tag", {"name": name, "value": "v"})
        s.post(f"{RM}/set-tag", {"name": name, "key": "bad!", "value": "v"})
        s.post(f"{RM}/set-tag", {"name": name, "key": "k" * 251, "value": "v"})
        s.post(f"{RM}/set-tag", {"name": name, "key": "k", "value": "v" * 100001})
        s.post(f"{RM}/set-tag", {"name": name, "key": "k", "value": 5})
        s.post(f"{RM}/set-tag", {"key": "k", "value": "v"})
        s.call("DELETE", f"{RM}/delete-tag", json_body={"name": s.name("missing"), "key": "k"})
        s.call("DELETE", f"{RM}/delete-tag", json_body={"name": name})
        s.call("DELETE", f"{RM}/delete-tag", json_body={"name": name, "key": "../x"})

    parity.check(sc)


@pytest.mark.rpc("ModelRegistryService.searchRegisteredModels", case="ok")
def test_search(parity):
    def sc(s):
        names = [new_model(s, f"srch-{c}", tags=[{"key": "team", "value": t}]) for c, t in (("b", "red"), ("a", "blue"), ("c", "Red"))]
        new_model(s, "srch-prompt", tags=[{"key": "mlflow.prompt.is_prompt", "value": "true"}])
        new_version(s, names[0])
        new_version(s, names[0])
        new_version(s, names[0])
        new_version(s, names[0])
        # latest per stage: None 3, Staging 2, Archived 4 (first seen, version and stage orders all differ)
        s.post(f"{MV}/transition-stage", {"name": names[0], "version": "2", "stage": "Staging", "archive_existing_versions": False})
        s.post(f"{MV}/transition-stage", {"name": names[0], "version": "4", "stage": "Archived", "archive_existing_versions": False})
        s.post(f"{RM}/alias", {"name": names[0], "alias": "x", "version": "1"})
        s.get(f"{RM}/get", {"name": names[0]})
        prefix = s.name("srch-")
        for p in PREFIXES:
            s.get(f"{RM}/search", {"filter": f"name LIKE '{prefix}%'"}, prefix=p)
        s.get(f"{RM}/search", {"filter": f"name ILIKE '{prefix.upper()}%'"})
        s.get(f"{RM}/search", {"filter": f"name = '{names[1]}'"})
        s.get(f"{RM}/search", {"filter": f"name != '{names[1]}' AND name LIKE '{prefix}%'"})
        s.get(f"{RM}/search", {"filter": f"name IN ('{names[0]}', '{names[2]}')"})
        s.get(f"{RM}/search", {"filter": f"tags.team = 'red' AND name LIKE '{prefix}%'"})
        s.get(f"{RM}/search", {"filter": f"tags.team ILIKE 'red' AND name LIKE '{prefix}%'"})
        s.get(f"{RM}/search", {"filter": f"tags.`team` LIKE '%e%' AND tags.team != 'blue' AND name LIKE '{prefix}%'"})
        s.get(f"{RM}/search", {"filter": f"tags.`mlflow.prompt.is_prompt` = 'true' AND name LIKE '{prefix}%'"})
        s.get(f"{RM}/search", {"filter": f"tags.`mlflow.prompt.is_prompt` = 'false' AND name LIKE '{prefix}%'"})
        s.get(f"{RM}/search", {"filter": f"name LIKE '{prefix}%'", "order_by": ["name DESC"]})
        s.get(f"{RM}/search", {"filter": f"name LIKE '{prefix}%'", "order_by": ["last_updated_timestamp DESC", "name ASC"]})
        s.get(f"{RM}/search", {"filter": f"name LIKE '{prefix}%'", "order_by": ["timestamp"]})
        _, page = s.get(f"{RM}/search", {"filter": f"name LIKE '{prefix}%'", "max_results": 2})
        s.get(f"{RM}/search", {"filter": f"name LIKE '{prefix}%'", "max_results": 2, "page_token": page.get("next_page_token")})
        s.get(f"{RM}/search", {"filter": f"name LIKE '{prefix}%'", "max_results": 3})
        s.get(f"{RM}/search", {"filter": f"name LIKE '{prefix}%'", "max_results": 0})

    parity.check(sc)


@pytest.mark.rpc("ModelRegistryService.searchRegisteredModels", case="error")
def test_search_errors(parity):
    def sc(s):
        for f in (
            "name = 'a' OR name = 'b'",
            "description = 'x'",
            "`name` = 'x'",
            "foo.bar = 'x'",
            "name > 'a'",
            "tags.k > 'a'",
            "tags.k IN ('a')",
            "name = 5",
            "tags.k = 5",
            "name IS NULL",
            "name = 'a'; name = 'b'",
            "name",
            "name = ",
            "name IN ()",
        ):
            s.get(f"{RM}/search", {"filter": f})
        s.get(f"{RM}/search", {"max_results": 1001})
        s.get(f"{RM}/search", {"max_results": "abc"})
        s.get(f"{RM}/search", {"order_by": ["creation_timestamp"]})
        s.get(f"{RM}/search", {"order_by": ["name", "name DESC"]})
        s.get(f"{RM}/search", {"order_by": ["timestamp", "last_updated_timestamp"]})
        s.get(f"{RM}/search", {"order_by": ["name sideways"]})
        s.get(f"{RM}/search", {"page_token": "not-a-token"})
        s.get(f"{RM}/search", {"page_token": "eyJmb28iOiAxfQ=="})

    parity.check(sc)


@pytest.mark.rpc("ModelRegistryService.getLatestVersions", case="both")
def test_latest_versions(parity):
    def sc(s):
        name = new_model(s, "latest")
        for _ in range(5):
            new_version(s, name)
        for v, stage in (("2", "Staging"), ("3", "Production"), ("4", "staging"), ("1", "Archived")):
            s.post(f"{MV}/transition-stage", {"name": name, "version": v, "stage": stage, "archive_existing_versions": False})
        s.post(f"{RM}/alias", {"name": name, "alias": "prod", "version": "3"})
        s.call("DELETE", f"{MV}/delete", json_body={"name": name, "version": "5"})
        s.post(f"{RM}/get-latest-versions", {"name": name})
        s.post(f"{RM}/get-latest-versions", {"name": name, "stages": ["Production"]})
        s.post(f"{RM}/get-latest-versions", {"name": name, "stages": ["staging", "NONE"]})
        s.get(f"{RM}/get-latest-versions", {"name": name, "stages": "Production"})
        s.post(f"{RM}/get-latest-versions", {"name": name, "stages": ["Nope"]})
        s.post(f"{RM}/get-latest-versions", {"name": s.name("missing"), "stages": ["Nope"]})
        s.post(f"{RM}/get-latest-versions", {})
        s.post(f"{RM}/get-latest-versions", {"name": name, "stages": "Production"})

    parity.check(sc)
