"""Reads one trace with its spans through the pinned MLflow's SQL store: span count, token usage,
and the first span names, as JSON (argv: database URI, trace id)."""

import json
import sys

from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore

store = SqlAlchemyStore(sys.argv[1], "mlflow-artifacts:/")
trace = store.get_trace(sys.argv[2])
print(json.dumps({
    "spans": len(trace.data.spans),
    "usage": trace.info.token_usage,
    "names": sorted(s.name for s in trace.data.spans)[:2],
}))
