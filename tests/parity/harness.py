"""The differential harness: run one scenario on both servers, normalize, compare.

A scenario is a plain function `scenario(side)`. It talks to a server only through `side` (raw HTTP
via `side.get/post/call`, the Python client via `side.client` / `side.fluent()`, and `side.observe`
for anything else worth comparing). Every response is recorded in the side's transcript; the two
transcripts are normalized (normalize.py) and must be equal.
"""

from __future__ import annotations

import contextlib
import json
import os
import traceback
from typing import Any, Callable

import requests

from diffreport import canonical, report
from normalize import Normalizer, dataframe_to_json
from strict_numbers import accept_refusals


class ParityDifference(AssertionError):
    """The two servers disagreed (after normalization)."""


class ScenarioBroken(RuntimeError):
    """The scenario failed on the reference server itself: a bug in the test, not a difference."""


def _parse_body(resp: requests.Response) -> tuple[str, Any]:
    ctype = resp.headers.get("Content-Type", "")
    mime = ctype.split(";")[0].strip().lower()
    text = resp.text
    if mime == "application/json" or (text[:1] in "{[" and mime in ("", "text/plain")):
        try:
            return mime, json.loads(text)
        except ValueError:
            pass
    return mime, {"non_json_body": text.strip()}


class Side:
    def __init__(self, server, test_key: str):
        self.server = server
        self.role = server.role
        self.base_url = server.base_url
        self.test_key = test_key
        self.transcript: list[dict] = []
        self.http = requests.Session()
        self.state: dict[str, Any] = {}
        self._client = None

    # -- naming: deterministic, identical on both sides, unique per test ---------------------------
    def name(self, suffix: str = "") -> str:
        return f"{self.test_key}{('-' + suffix) if suffix else ''}"

    # -- raw HTTP ----------------------------------------------------------------------------------
    def call(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        params: Any = None,
        data: Any = None,
        headers: dict | None = None,
        prefix: str = "/api/2.0",
        label: str | None = None,
        record: bool = True,
        headers_of_interest: tuple[str, ...] = (),
        transform: Callable[[Any], Any] | None = None,
    ) -> tuple[int, Any]:
        """One request; its status, content type and parsed body go to the transcript.

        `transform` (applied to a 2xx JSON body before recording only) lets a scenario take out an
        order that depends on random ids, e.g. results sorted by run id (see group_by_run).
        """
        url = self.base_url + prefix + path
        kwargs: dict[str, Any] = {"params": params, "headers": headers or {}, "timeout": 60}
        if json_body is not None:
            kwargs["json"] = json_body
        if data is not None:
            kwargs["data"] = data
        resp = self.http.request(method, url, **kwargs)
        mime, body = _parse_body(resp)
        if record:
            recorded = body
            if transform is not None and 200 <= resp.status_code < 300 and isinstance(body, dict):
                recorded = transform(body)
            entry = {
                "step": label or f"{method} {prefix}{path}",
                "status": resp.status_code,
                "content_type": mime,
                "body": recorded,
            }
            for h in headers_of_interest:
                entry[f"header:{h.lower()}"] = resp.headers.get(h)
            self.transcript.append(entry)
        return resp.status_code, body

    def get(self, path: str, params: Any = None, **kw) -> tuple[int, Any]:
        return self.call("GET", path, params=params, **kw)

    def post(self, path: str, body: Any = None, **kw) -> tuple[int, Any]:
        return self.call("POST", path, json_body=body, **kw)

    def both_prefixes(self, method: str, path: str, **kw) -> None:
        """The same request on /api/2.0 and /ajax-api/2.0."""
        for prefix in ("/api/2.0", "/ajax-api/2.0"):
            self.call(method, path, prefix=prefix, **kw)

    # -- anything else -----------------------------------------------------------------------------
    def observe(self, label: str, value: Any) -> Any:
        self.transcript.append({"step": label, "value": to_jsonable(value)})
        return value

    def attempt(self, label: str, fn: Callable[[], Any]) -> Any:
        """Run a client call; record its result, or the MlflowException it raised."""
        from mlflow.exceptions import MlflowException

        try:
            result = fn()
        except MlflowException as e:
            self.transcript.append({"step": label, "error": mlflow_error(e)})
            return None
        self.transcript.append({"step": label, "value": to_jsonable(result)})
        return result

    @property
    def client(self):
        if self._client is None:
            from mlflow import MlflowClient

            self._client = MlflowClient(tracking_uri=self.base_url)
        return self._client

    @contextlib.contextmanager
    def fluent(self):
        """The fluent API pointed at this side (MLFLOW_TRACKING_URI + set_tracking_uri)."""
        import mlflow

        old_env = os.environ.get("MLFLOW_TRACKING_URI")
        os.environ["MLFLOW_TRACKING_URI"] = self.base_url
        os.environ.pop("MLFLOW_EXPERIMENT_ID", None)  # set_experiment() exports it
        mlflow.set_tracking_uri(self.base_url)
        try:
            yield mlflow
        finally:
            while mlflow.active_run() is not None:
                mlflow.end_run()
            with contextlib.suppress(Exception):
                from mlflow.tracking import fluent as _fl

                _fl._active_experiment_id = None
            os.environ.pop("MLFLOW_EXPERIMENT_ID", None)
            if old_env is None:
                os.environ.pop("MLFLOW_TRACKING_URI", None)
            else:
                os.environ["MLFLOW_TRACKING_URI"] = old_env
            mlflow.set_tracking_uri(None)


def group_by_run(list_key: str, request_ids: list[str], run_order: list[str], id_key: str = "run_id"):
    """A transform for multi-run answers whose run order may depend on the (random) run ids.

    The scenario sends its run ids sorted by id (`request_ids`, ascending or descending), so a
    server answering in request order and one sorting by id both give deterministic results. The
    transform records the server's run sequence as positions in the request, and the items regrouped
    by `run_order` (the scenario's creation order; stable within a run), so neither the recorded
    values nor the id mapping depend on how the random ids happened to sort.
    """

    def tf(body: dict) -> dict:
        items = body.get(list_key)
        if not isinstance(items, list):
            return body
        pos = {rid: i for i, rid in enumerate(request_ids)}
        rank = {rid: i for i, rid in enumerate(run_order)}
        seq = []
        for it in items:
            p = pos.get(it.get(id_key)) if isinstance(it, dict) else None
            if not seq or seq[-1] != p:
                seq.append(p)
        out = dict(body)
        out[list_key] = sorted(items, key=lambda it: rank.get(it.get(id_key), -1) if isinstance(it, dict) else -1)
        out["(run sequence, as positions in the request)"] = seq
        return out

    return tf


def mlflow_error(e) -> dict:
    return {"type": type(e).__name__, "error_code": getattr(e, "error_code", None), "message": e.message}


def to_jsonable(v: Any) -> Any:
    """Client objects (entities, DataFrames, paged lists) as plain JSON."""
    try:
        import pandas as pd

        if isinstance(v, pd.DataFrame):
            return {"dataframe": dataframe_to_json(v)}
    except ImportError:  # pragma: no cover
        pass
    if v is None or isinstance(v, (str, int, float, bool)):
        return v
    if isinstance(v, dict):
        return {str(k): to_jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        out = [to_jsonable(x) for x in v]
        token = getattr(v, "token", None)
        if token is not None or type(v).__name__ == "PagedList":
            return {"items": out, "token": token}
        return out
    to_proto = getattr(v, "to_proto", None)
    if callable(to_proto):
        from google.protobuf.json_format import MessageToDict

        return {type(v).__name__: MessageToDict(to_proto(), preserving_proto_field_name=True)}
    if hasattr(v, "to_dictionary"):
        return to_jsonable(v.to_dictionary())
    if hasattr(v, "__dict__"):
        return {type(v).__name__: to_jsonable({k: x for k, x in vars(v).items() if not k.startswith("__")})}
    return repr(v)


def run_scenario(side: Side, scenario: Callable[[Side], Any]) -> None:
    try:
        scenario(side)
    except ParityDifference:
        raise
    except Exception as e:
        if side.role == "reference":
            raise ScenarioBroken(
                f"scenario failed against the reference (Python) server: {e!r}\n{traceback.format_exc()}"
            ) from e
        side.transcript.append({"step": "(scenario aborted)", "exception": f"{type(e).__name__}: {e}"})


def compare(pair, scenario: Callable[[Side], Any], test_key: str) -> tuple[list, list]:
    ref = Side(pair.reference, test_key)
    cand = Side(pair.candidate, test_key)
    run_scenario(ref, scenario)
    run_scenario(cand, scenario)
    if pair.candidate.kind == "ts":
        standalone_unrouted(ref.transcript, cand.transcript)
        accept_refusals(ref.transcript, cand.transcript)
    rn = Normalizer(_replacements(pair.reference), pair.dialect).normalize(ref.transcript)
    cn = Normalizer(_replacements(pair.candidate), pair.dialect).normalize(cand.transcript)
    dump_dir = os.environ.get("MLFLOW_TS_PARITY_DUMP")
    if dump_dir:
        os.makedirs(dump_dir, exist_ok=True)
        with open(os.path.join(dump_dir, f"{test_key}.{pair.dialect}.json"), "w") as f:
            json.dump({"reference": rn, "candidate": cn}, f, indent=1, default=repr)
    if canonical(rn) != canonical(cn):
        text = report(
            rn,
            cn,
            f"reference: python ({pair.dialect})",
            f"candidate: {pair.candidate.kind} ({pair.dialect})",
        )
        if any(_server_side_failure(e) for e in cand.transcript):
            text += f"\n\ncandidate server log (last lines, {pair.candidate.log_path}):\n{pair.candidate.log_tail(30)}"
        raise ParityDifference(text)
    return rn, cn


def _server_side_failure(entry: dict) -> bool:
    status = entry.get("status")
    return (isinstance(status, int) and status >= 500 and status != 501) or "exception" in entry


def standalone_unrouted(ref: list[dict], cand: list[dict]) -> None:
    """docs/parity-differences.md, section 2, item 3: a request no native route serves answers 501
    NOT_IMPLEMENTED in `mlflow-ts --no-python` (it would be proxied to the Python server otherwise);
    accepted where the Python server answers it with its non-JSON 404/405 page."""
    for r, c in zip(ref, cand):
        if not (isinstance(r, dict) and isinstance(c, dict) and "status" in r and "status" in c):
            continue
        body = c.get("body") if isinstance(c.get("body"), dict) else {}
        if (
            c["status"] == 501
            and body.get("error_code") == "NOT_IMPLEMENTED"
            and "not served natively" in str(body.get("message", ""))
            and r["status"] in (404, 405)
            and r.get("content_type") != "application/json"
        ):
            for e in (r, c):
                for k in ("status", "content_type", "body"):
                    e.pop(k, None)
                e["standalone"] = "not routed natively (Python: 404/405 page; mlflow-ts --no-python: 501)"


def _replacements(server) -> list[tuple[str, str]]:
    wd = str(server.workdir)
    return [
        (f"file://{wd}/mlartifacts", "<artifact-root>"),
        (f"{wd}/mlartifacts", "<artifact-root>"),
        (f"file://{wd}/mlruns", "<artifact-root>"),
        (f"{wd}/mlruns", "<artifact-root>"),
        (wd, "<workdir>"),
        (server.base_url, "<server>"),
    ]
