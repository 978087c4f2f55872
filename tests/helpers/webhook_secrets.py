"""Python MLflow's side of the webhook secret cross-check (tests/integration/webhooks-store.test.ts).

The registry SqlAlchemyStore encrypts and decrypts secrets with MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY
(read when its models are imported), so the caller sets it in the environment.

  webhook_secrets.py read URI   < ["webhook id", ...]   prints {"id": {"secret": ..., "events": [...]}}
  webhook_secrets.py write URI  < {"name": ..., "url": ..., "secret": ...}   prints the new id
"""

import json
import sys

from mlflow.entities.webhook import WebhookEvent
from mlflow.store.model_registry.sqlalchemy_store import SqlAlchemyStore


def main():
    cmd, uri = sys.argv[1], sys.argv[2]
    store = SqlAlchemyStore(uri)
    req = json.load(sys.stdin)
    if cmd == "read":
        out = {}
        for wid in req:
            w = store.get_webhook(wid)
            out[wid] = {"secret": w.secret, "name": w.name, "events": [str(e) for e in w.events]}
        print(json.dumps(out))
    elif cmd == "write":
        w = store.create_webhook(
            name=req["name"],
            url=req["url"],
            events=[WebhookEvent.from_str("registered_model.created")],
            secret=req["secret"],
        )
        print(json.dumps(w.webhook_id))


if __name__ == "__main__":
    main()
