"""The suite's own machinery (no servers): normalization must map consistently and stay strict."""

from diffreport import canonical, report
from normalize import Normalizer

RA = "a" * 32
RB = "b" * 32
RC = "c" * 32


def norm(t):
    return Normalizer().normalize(t)


def test_ids_are_mapped_by_first_appearance_and_references_must_agree():
    left = [{"run": {"run_id": RA, "experiment_id": "7"}}, {"tags": [{"key": "mlflow.parentRunId", "value": RA}]}]
    right = [{"run": {"run_id": RB, "experiment_id": "3"}}, {"tags": [{"key": "mlflow.parentRunId", "value": RB}]}]
    assert canonical(norm(left)) == canonical(norm(right))
    # a reference to another run is a difference
    wrong = [{"run": {"run_id": RB, "experiment_id": "3"}}, {"tags": [{"key": "mlflow.parentRunId", "value": RC}]}]
    assert canonical(norm(left)) != canonical(norm(wrong))


def test_ids_inside_strings_and_uris():
    out = norm([{"experiment_id": "12", "msg": f"Run '{RA}' not found", "uri": f"mlflow-artifacts:/12/{RA}/artifacts"}])
    assert out == [{"experiment_id": "<exp:1>", "msg": "Run '<run:1>' not found", "uri": "mlflow-artifacts:/<exp:1>/<run:1>/artifacts"}]


def test_whole_values_equal_to_an_experiment_id_stay_exact_outside_id_fields():
    out = norm([{"experiment_id": "1", "step": "1", "value": "1", "n": 1}])
    assert out == [{"experiment_id": "<exp:1>", "step": "1", "value": "1", "n": 1}]


def test_wall_clock_times_are_normalized_but_chosen_times_and_types_are_not():
    import time

    now = int(time.time() * 1000)
    out = norm([{"start_time": now, "end_time": str(now), "timestamp": 1600000000000, "creation_time": 5}])
    assert out == [{"start_time": "<now:int>", "end_time": "<now:str>", "timestamp": 1600000000000, "creation_time": 5}]


def test_generated_run_names_only():
    out = norm([{"run_name": "bold-fox-123"}, {"run_name": "my_run"}, {"key": "mlflow.runName", "value": "bold-fox-123"}])
    assert out == [{"run_name": "<run-name:1>"}, {"run_name": "my_run"}, {"key": "mlflow.runName", "value": "<run-name:1>"}]


def test_value_types_are_compared():
    assert canonical(norm([{"v": 1}])) != canonical(norm([{"v": 1.0}]))
    assert canonical(norm([{"v": 1}])) != canonical(norm([{"v": "1"}]))
    assert canonical(norm([{"v": None}])) != canonical(norm([{}]))


def test_sqlalchemy_wrapper_keeps_the_database_message():
    msg = (
        "Experiment(name=x) already exists. Error: (sqlite3.IntegrityError) UNIQUE constraint failed: "
        "experiments.workspace, experiments.name\n[SQL: INSERT INTO experiments (name) VALUES (?)]\n"
        "[parameters: ('x',)]\n(Background on this error at: https://sqlalche.me/e/21/gkpj)"
    )
    out = norm([{"message": msg}])
    assert out[0]["message"] == (
        "Experiment(name=x) already exists. Error: UNIQUE constraint failed: experiments.workspace, experiments.name"
    )


def test_python_set_order_in_messages():
    a = norm([{"message": "Valid keys are '{'b', 'a', 'c'}'"}])
    b = norm([{"message": "Valid keys are '{'c', 'b', 'a'}'"}])
    assert a == b
    assert norm([{"message": "Valid keys are '{'a', 'b'}'"}]) != a


def test_report_shows_both_sides():
    text = report([{"step": "x", "status": 200}], [{"step": "x", "status": 400}], "REF", "CAND")
    assert "PARITY DIFFERENCE" in text and "REF" in text and "CAND" in text
    assert '"status": 200' in text and '"status": 400' in text


def test_ids_only_in_a_dropped_statement_tail_are_not_mapped():
    wrapped = (
        "(psycopg2.errors.StringDataRightTruncation) value too long\n[SQL: INSERT INTO tags]\n"
        f"[parameters: {{'run_uuid': '{RA}'}}]\n(Background on this error at: https://sqlalche.me/e/21/9h9h)"
    )
    left = [{"message": wrapped}, {"run_id": RB}]
    right = [{"message": "value too long"}, {"run_id": RC}]
    assert canonical(norm(left)) == canonical(norm(right))


def test_psycopg2_statement_context_is_dropped():
    msg = 'invalid input syntax for type integer: ""\nLINE 1: ...artifacts\', \'\')\n                 ^'
    assert norm([{"message": msg}]) == [{"message": 'invalid input syntax for type integer: ""'}]


def test_run_data_order_is_ignored_on_postgresql_only():
    """docs/parity-differences.md 2.4: a run's data.metrics/params/tags lists, only on PostgreSQL."""

    def body(keys, field="metrics"):
        value = 1.0 if field == "metrics" else "v"
        return [{"run": {"data": {field: [{"key": k, "value": value} for k in keys]}}}]

    first_seen, sorted_keys = ["zz", "m2", "B", "a"], ["B", "a", "m2", "zz"]
    pg = lambda t: Normalizer(None, "postgresql").normalize(t)  # noqa: E731
    lite = lambda t: Normalizer(None, "sqlite").normalize(t)  # noqa: E731
    for field in ("metrics", "params", "tags"):
        # another order: equal on PostgreSQL, a difference on SQLite
        assert canonical(pg(body(first_seen, field))) == canonical(pg(body(sorted_keys, field)))
        assert canonical(lite(body(first_seen, field))) != canonical(lite(body(sorted_keys, field)))
    # any other list in another order stays a difference on PostgreSQL
    runs = lambda keys: [{"runs": [{"info": {"run_name": k}} for k in keys]}]  # noqa: E731
    assert canonical(pg(runs(first_seen))) != canonical(pg(runs(sorted_keys)))
    # the values still count
    c = [{"run": {"data": {"metrics": [{"key": k, "value": 2.0 if k == "a" else 1.0} for k in sorted_keys]}}}]
    assert canonical(pg(body(first_seen))) != canonical(pg(c))


U1 = "8f0caf89-a0ed-4b62-9564-d647668b01ba"
U2 = "c5d3fcde-2c21-4d89-a973-77cf631d1ea0"


def test_uuids_are_mapped_in_paths_values_and_messages():
    out = norm([{"step": f"GET /api/2.0/mlflow/webhooks/{U1}", "body": {"webhook_id": U1, "m": f"Webhook with ID {U2} not found."}}])
    assert out == [
        {"step": "GET /api/2.0/mlflow/webhooks/<uuid:1>", "body": {"webhook_id": "<uuid:1>", "m": "Webhook with ID <uuid:2> not found."}}
    ]
    assert canonical(norm([{"a": U1, "b": U1}])) != canonical(norm([{"a": U1, "b": U2}]))


def test_webhook_events_are_sorted_on_postgresql_only():
    events = [{"entity": "REGISTERED_MODEL", "action": "CREATED"}, {"entity": "MODEL_VERSION", "action": "CREATED"}]
    body = [{"body": {"webhook": {"events": events}}}]
    pg = Normalizer(dialect="postgresql").normalize(body)
    assert pg[0]["body"]["webhook"]["events"] == events[::-1]
    assert Normalizer(dialect="sqlite").normalize(body)[0]["body"]["webhook"]["events"] == events


def test_mysql_messages_lose_only_what_differs_between_the_two_databases():
    """docs/parity-differences.md 2.16: database names, the statement excerpt of a syntax error and a
    key value cut inside an id; the rest of the message still counts."""
    a = "(1366, \"Incorrect integer value: '' for column `parity_my_ref_1_0123abcd`.`runs`.`experiment_id` at row 1\")"
    b = "(1366, \"Incorrect integer value: '' for column `parity_my_can_1_89abcdef`.`runs`.`experiment_id` at row 1\")"
    assert norm([{"message": a}]) == norm([{"message": b}])
    assert norm([{"message": a}]) != norm([{"message": a.replace("experiment_id", "name")}])
    near = "(1064, \"You have an error in your SQL syntax; check the manual that corresponds to your MariaDB server version for the right syntax to use near '{}' at line {}\")"
    assert norm([{"message": near.format("-1, 2", 4)}]) == norm([{"message": near.format("-1", 1)}])
    dup = "(1062, \"Duplicate entry 'RUN_OUTPUT-x-MODEL_OUTPUT-m-{}...' for key '{}'\")"
    assert norm([{"message": dup.format("01", "PRIMARY")}]) == norm([{"message": dup.format("d5", "PRIMARY")}])
    assert norm([{"message": dup.format("01", "PRIMARY")}]) != norm([{"message": dup.format("01", "other")}])


def test_dataset_lists_are_sorted_on_mysql_only():
    """docs/parity-differences.md 2.16: search-datasets' summaries and a run's dataset inputs."""
    d = [{"name": "b", "digest": "2"}, {"name": "a", "digest": "1"}]
    body = [{"dataset_summaries": d, "run": {"inputs": {"dataset_inputs": [{"dataset": x} for x in d]}}}]
    rev = [{"dataset_summaries": d[::-1], "run": {"inputs": {"dataset_inputs": [{"dataset": x} for x in d[::-1]]}}}]
    my = lambda t: Normalizer(None, "mysql").normalize(t)  # noqa: E731
    lite = lambda t: Normalizer(None, "sqlite").normalize(t)  # noqa: E731
    assert canonical(my(body)) == canonical(my(rev))
    assert canonical(lite(body)) != canonical(lite(rev))
    changed = [{"dataset_summaries": [{"name": "b", "digest": "3"}, d[1]], "run": {"inputs": {"dataset_inputs": []}}}]
    assert canonical(my(body)) != canonical(my(changed))
