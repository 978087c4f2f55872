"""Builds the search test dataset in a tracking database with the pinned MLflow's own SQL store,
then records what that store answers for a battery of searchRuns / searchExperiments requests.

    .venv/bin/python build_search_fixture.py <backend-uri> <artifact-root> <out.json>

The TypeScript integration test opens the same database and must give the same answers.
"""
import json
import math
import random
import sys

from mlflow.entities import Dataset, DatasetInput, InputTag, Metric, Param, RunStatus, RunTag, ViewType
from mlflow.entities import ExperimentTag
from mlflow.exceptions import MlflowException
from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore
from mlflow.utils.proto_json_utils import message_to_json

uri, artifact_root, out_path = sys.argv[1:4]
store = SqlAlchemyStore(uri, artifact_root)
rng = random.Random(7)

exp_a = store.create_experiment("exp_a", tags=[ExperimentTag("team", "ml"), ExperimentTag("Owner", "Alice")])
exp_b = store.create_experiment("exp_b", tags=[ExperimentTag("team", "data")])
exp_c = store.create_experiment("Exp_C_deleted")
exp_d = store.create_experiment("exp_%_d", tags=[ExperimentTag("team", "ML")])
store.delete_experiment(exp_c)

STATUSES = ["FINISHED", "RUNNING", "FAILED", "KILLED", "SCHEDULED"]
USERS = ["alice", "bob", "Carol", "dave_x"]
MODELS = ["cnn", "CNN", "rnn", "Trans%former"]
ENVS = ["prod", "Prod", "dev"]
run_ids = []
for i in range(42):
    exp = exp_a if i < 30 else exp_b
    name = f"run-{i:02d}" if i % 5 else f"Run_{i:02d}"
    run = store.create_run(
        experiment_id=exp,
        user_id=USERS[i % 4],
        start_time=1000 + (i // 3) * 10,
        tags=[],
        run_name=name,
    )
    rid = run.info.run_id
    run_ids.append(rid)
    metrics = []
    if i % 5 != 0:
        v = float("nan") if i % 7 == 0 else round(rng.uniform(-1, 1), 3)
        metrics.append(Metric("acc", round(rng.uniform(-5, 5), 2), 10, 0))
        metrics.append(Metric("acc", v, 20, 1))
    if i == 3:
        metrics.append(Metric("loss", float("inf"), 1, 0))
    elif i == 4:
        metrics.append(Metric("loss", float("-inf"), 1, 0))
    elif i % 2 == 0:
        metrics.append(Metric("loss", float(i % 6), 1, 0))
    metrics.append(Metric("my metric", float(i), 1, 0))
    params = []
    if i % 6 != 0:
        params.append(Param("lr", str(0.001 * (i % 4))))
        params.append(Param("model", MODELS[i % 4]))
    params.append(Param("a.b", f"v{i % 3}"))
    tags = [RunTag("env", ENVS[i % 3])]
    if i % 4 == 1:
        tags.append(RunTag("with space", "it's"))
    if i % 9 == 0:
        tags.append(RunTag("note", "100%_done"))
    store.log_batch(rid, metrics=metrics, params=params, tags=tags)
    inputs = []
    if i % 4 == 0:
        inputs.append(DatasetInput(Dataset("train_ds", "d1", "local", "src1"), [InputTag("mlflow.data.context", "training")]))
    if i % 4 == 1 or i % 8 == 0:
        inputs.append(DatasetInput(Dataset("eval_ds", "D2", "local", "src2", schema="{}"), [InputTag("mlflow.data.context", "Eval")]))
    if inputs:
        store.log_inputs(rid, datasets=inputs)
    status = STATUSES[i % 5]
    end_time = None if status in ("RUNNING", "SCHEDULED") else 1000 + (i // 3) * 10 + 50 + (i % 4)
    store.update_run_info(rid, RunStatus.from_string(status), end_time, None)
    if i in (7, 25, 33):
        store.delete_run(rid)

# a few odd runs: empty user, non-ASCII values, LIKE wildcards inside values, equal start times
for j, (user, env, model) in enumerate([("", "Éte", "c_n%n"), ("Émile", "éte", "C%N"), ("", "ÉTE", "cnn_")]):
    run = store.create_run(experiment_id=exp_b, user_id=user, start_time=2000, tags=[], run_name=f"odd-{j}")
    store.log_batch(run.info.run_id, metrics=[Metric("acc", -0.0 if j else 0.0, 1, 0)],
                    params=[Param("model", model)], tags=[RunTag("env", env)])

A, B = str(exp_a), str(exp_b)
RUN_QUERIES = []


def q(filter="", order_by=(), exps=(A, B), view=ViewType.ACTIVE_ONLY, max_results=1000, page_token=None):
    RUN_QUERIES.append(dict(filter=filter, order_by=list(order_by), experiment_ids=list(exps), view=view,
                            max_results=max_results, page_token=page_token))


FILTERS = [
    "", "metrics.acc > 0", "metrics.acc >= 0.5", "metrics.acc < 0", "metrics.acc <= -0.5", "metrics.acc = 0.5",
    "metrics.acc != 0.5", "metrics.loss > 1e300", "metrics.loss < -1e300", "metrics.loss = 2",
    "metrics.`my metric` > 10", 'metrics."my metric" <= 3', "params.model = 'cnn'", "params.model != 'cnn'",
    "params.model LIKE 'c%'", "params.model ILIKE 'c%'", "params.model LIKE '%\\%%'", "params.model LIKE '_NN'",
    "params.lr = '0.002'", "params.`a.b` = 'v1'", "params.lr IS NULL", "params.lr IS NOT NULL",
    "tags.env = 'prod'", "tags.env ILIKE 'PROD'", "tags.env != 'dev'", "tags.`with space` = \"it's\"",
    "tags.note LIKE '100\\%%'", "tags.note IS NULL", "tags.`mlflow.runName` LIKE 'Run%'",
    "attributes.status = 'FINISHED'", "status != 'RUNNING'", "attribute.user_id LIKE '%a%'",
    "user_id ILIKE 'c%'", "run_name = 'run-01'", "run_name LIKE 'run-1%'", "`Run Name` ILIKE 'run_1%'",
    "attributes.run_name != 'run-01'", "start_time > 1050", "created <= 1030", "end_time > 1100",
    "end_time != 1052", "start_time >= 1050 AND end_time < 1200 AND params.model LIKE '%N%'",
    "dataset.name = 'train_ds'", "datasets.digest ILIKE 'd2'", "dataset.context = 'Eval'",
    "dataset.name IN ('train_ds', 'nope')", "dataset.name NOT IN ('train_ds')", "dataset.context LIKE 'train%'",
    "artifact_uri LIKE '%artifacts'", "metrics.acc > 0 AND tags.env = 'prod' AND params.lr != '0.001'",
    "metrics.acc >= -10", "metrics.nope > 0", "params.nope != 'x'", "tags.nope IS NULL",
    # errors raised by the store, not the parser
    "metrics.acc LIKE 1", "params.model > 'a'", "tags.env IN ('a')", "status > 'a'", "start_time LIKE 5",
    "dataset.name > 'a'", "params.model NOT LIKE 'c%'", "metrics.acc == 1", "metrics.acc IS NULL",
    "run_id IN ('zzz')",
]
for f in FILTERS:
    q(f)
ORDERS = [
    ["metrics.acc"], ["metrics.acc DESC"], ["metrics.loss ASC"], ["metrics.loss DESC"],
    ["params.model"], ["params.model DESC"], ["tags.env", "metrics.acc DESC"], ["tags.note DESC"],
    ["attributes.start_time ASC"], ["start_time DESC"], ["created"], ["run_name"], ["run_name DESC"],
    ["run_id"], ["status", "user_id DESC"], ["end_time"], ["end_time DESC"], ["artifact_uri"],
    ["metrics.`my metric` DESC"], ["params.`a.b`", "tags.env DESC", "metrics.acc"],
    ["metrics.acc", "metrics.acc DESC"], ["created", "start_time"], ["dataset.name"], ["metrics.acc", "bogus"],
]
for o in ORDERS:
    q("", o)
q("metrics.acc > -10", ["metrics.acc DESC"], max_results=5)
q("", ["params.model"], view=ViewType.ALL)
q("", ["start_time"], view=ViewType.DELETED_ONLY)
q("tags.env = 'prod'", view=ViewType.ALL)
q("", exps=(A,))
q("", exps=(B,), order_by=["metrics.acc"])
q("", exps=())
q("", exps=("x",))
q("", exps=(str(exp_c),), view=ViewType.ALL)
q("", exps=("99999999999", A))
q("start_time > 1050.5")
q("end_time <= 1100.25 AND created >= 1010.0")
q("metrics.acc > 0.25 AND metrics.`my metric` < 30.5")
q("tags.env ILIKE 'é%'")
q("tags.env LIKE 'É%'")
q("params.model LIKE 'c_n%'")
q("params.model LIKE '%\\%%'")
q("user_id = 'Émile'")
q("", ["user_id"])
q("", ["user_id DESC"])
q("metrics.acc = 0")
q("metrics.acc = -0.0")
# random combinations of the valid filters above with orderings, views and page sizes
VALID_FILTERS = [f for f in FILTERS[:55] if f]
VALID_ORDERS = ORDERS[:20]
for k in range(120):
    clauses = rng.sample(VALID_FILTERS, rng.randint(1, 3))
    order = rng.choice(VALID_ORDERS) if rng.random() < 0.8 else []
    view = rng.choice([ViewType.ACTIVE_ONLY, ViewType.ALL, ViewType.DELETED_ONLY])
    q(" AND ".join(clauses), order, view=view, max_results=rng.choice([1000, 3, 10]))
# a filter on the key a sort key joins (checked on that join's row): NaN, missing keys, paging
q("metrics.acc != 0.5", ["metrics.acc DESC"])
q("metrics.acc >= -10 AND metrics.acc < 0", ["metrics.acc"], max_results=2)
q("params.model LIKE '%n%'", ["params.model DESC"], view=ViewType.ALL)
q("tags.note != 'x' AND tags.env = 'prod'", ["tags.env", "tags.note DESC"], max_results=3)
q("", max_results=0)
q("", max_results=-3)
q("", max_results=50001)
q("", page_token="garbage!")
q("", page_token="eyJvZmZzZXQiOiAxMH0=")
q("", page_token="eyJvZmZzZXQiOiAxMDAwfQ==")
q("params.model = 'cnn' OR params.model = 'rnn'")


def err(e):
    return {"error": e.message, "error_code": e.error_code}


def run_query(spec):
    try:
        res = store.search_runs(spec["experiment_ids"], spec["filter"], spec["view"], spec["max_results"],
                                spec["order_by"], spec["page_token"])
        return {"ids": [r.info.run_id for r in res], "token": res.token.decode() if isinstance(res.token, bytes) else res.token}
    except MlflowException as e:
        return err(e)


run_results = [{"query": spec, **run_query(spec)} for spec in RUN_QUERIES]

# pagination: follow tokens through all pages
pages = []
token = None
while True:
    res = store.search_runs([A, B], "", ViewType.ALL, 7, ["metrics.acc DESC", "params.model"], token)
    pages.append([r.info.run_id for r in res])
    token = res.token
    if not token:
        break
    token = token.decode() if isinstance(token, bytes) else token

# full runs, for shape comparison
full = store.search_runs([A, B], "", ViewType.ALL, 1000, ["attributes.run_id"], None)
full_runs = [json.loads(message_to_json(r.to_proto())) for r in full]

EXP_QUERIES = []


def eq(filter="", order_by=(), view=ViewType.ACTIVE_ONLY, max_results=1000, page_token=None):
    EXP_QUERIES.append(dict(filter=filter, order_by=list(order_by), view=view, max_results=max_results, page_token=page_token))


for f in ["", "name = 'exp_a'", "name != 'exp_a'", "name LIKE 'exp%'", "name LIKE 'exp\\_%'", "name ILIKE 'EXP%'",
          "tags.team = 'ml'", "tags.team ILIKE 'ML'", "tags.team != 'ml'", "tags.Owner IS NULL", "tags.Owner IS NOT NULL",
          "creation_time > 0", "last_update_time >= 0", f"experiment_id = '{A}'", f"experiment_id IN ('{A}', '{B}')",
          f"experiment_id NOT IN ('{A}')", "experiment_id > '1'", "experiment_id = 'x'", "name > 'a'", "tags.team > 'a'",
          "creation_time > 1.5", "name IN ('a')", "creation_time LIKE 5", "experiment_id = '99999999999'",
          "experiment_id != '99999999999'", "experiment_id IN ('99999999999', '1')", "experiment_id NOT IN ('99999999999')"]:
    eq(f)
for o in [["name"], ["name DESC"], ["experiment_id"], ["experiment_id DESC"], ["creation_time"], ["last_update_time DESC", "name"],
          ["tags.team"], ["bogus"]]:
    eq("", o)
eq("", ["name"], view=ViewType.ALL)
eq("", ["name"], view=ViewType.DELETED_ONLY)
eq("", ["name"], max_results=2)
eq("", ["name"], max_results=2, page_token="eyJvZmZzZXQiOiAyfQ==")
eq("", max_results=0)
eq("", max_results=50001)


def exp_query(spec):
    try:
        res = store.search_experiments(spec["view"], spec["max_results"], spec["filter"], spec["order_by"], spec["page_token"])
        return {"ids": [e.experiment_id for e in res], "token": res.token.decode() if isinstance(res.token, bytes) else res.token}
    except MlflowException as e:
        return err(e)


exp_results = [{"query": spec, **exp_query(spec)} for spec in EXP_QUERIES]
full_exps = [json.loads(message_to_json(e.to_proto())) for e in store.search_experiments(ViewType.ALL, 100, None, ["name"], None)]

with open(out_path, "w") as f:
    json.dump({"runs": run_results, "pages": pages, "full_runs": full_runs, "experiments": exp_results,
               "full_experiments": full_exps}, f, indent=1)
