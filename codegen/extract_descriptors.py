"""Dump the pinned MLflow's proto descriptors as one serialized FileDescriptorSet.

Run with the .venv python (the one that has the pinned `mlflow` installed):

    .venv/bin/python codegen/extract_descriptors.py OUT.pb

The descriptors are taken from the generated `*_pb2` modules that ship in the wheel, so no
.proto source is needed (nor committed). Files are written dependencies-first, each once, with
their options (including the `databricks.rpc` / `validate_required` extensions) left serialized
as-is so the TypeScript generator can read them as extensions.
"""

import importlib
import json
import sys

from google.protobuf import descriptor_pb2

# The modules whose services the OSS tracking server routes (see handlers.get_endpoints);
# their imports pull in every message package they reference.
SERVED_MODULES = [
    "mlflow.protos.service_pb2",
    "mlflow.protos.model_registry_pb2",
    "mlflow.protos.mlflow_artifacts_pb2",
    "mlflow.protos.webhooks_pb2",
    # databricks.proto carries the custom options the generator reads.
    "mlflow.protos.databricks_pb2",
]

# Services the server registers, in get_endpoints() order; written next to the set so the
# generator does not have to guess.
SERVED_SERVICES = [
    "mlflow.MlflowService",
    "mlflow.ModelRegistryService",
    "mlflow.artifacts.MlflowArtifactsService",
    "mlflow.WebhookService",
]


def artifacts_only_disabled(handlers) -> list[str]:
    """Request types whose handler carries @_disable_if_artifacts_only (503 in --artifacts-only mode),
    read from the handler's source: a decorated function's source starts at its first decorator."""
    import inspect

    out = []
    for cls, fn in handlers.items():
        if not hasattr(cls, "DESCRIPTOR"):
            continue
        head = inspect.getsource(inspect.unwrap(fn)).split("def ", 1)[0]
        if "@_disable_if_artifacts_only" in head:
            out.append(cls.DESCRIPTOR.full_name)
    return sorted(out)


def main(out_path: str) -> None:
    import mlflow

    fds = descriptor_pb2.FileDescriptorSet()
    seen: set[str] = set()

    def add(file_desc) -> None:
        if file_desc.name in seen:
            return
        seen.add(file_desc.name)
        for dep in file_desc.dependencies:
            add(dep)
        # serialized_pb is the FileDescriptorProto the module was built from, custom options
        # included (CopyToProto may drop unknown extensions depending on the runtime).
        proto = descriptor_pb2.FileDescriptorProto.FromString(file_desc.serialized_pb)
        fds.file.append(proto)

    for name in SERVED_MODULES:
        add(importlib.import_module(name).DESCRIPTOR)

    with open(out_path, "wb") as f:
        f.write(fds.SerializeToString(deterministic=True))
    # RPCs routed but absent from HANDLERS answer 404 in MLflow; the generator records which.
    from mlflow.server.handlers import HANDLERS

    handled = sorted(
        cls.DESCRIPTOR.full_name for cls in HANDLERS if hasattr(cls, "DESCRIPTOR")
    )
    meta = {
        "mlflow_version": mlflow.__version__,
        "services": SERVED_SERVICES,
        "handled_requests": handled,
        "artifacts_only_disabled": artifacts_only_disabled(HANDLERS),
    }
    with open(out_path + ".json", "w") as f:
        json.dump(meta, f, indent=2, sort_keys=True)
        f.write("\n")
    print(f"extract_descriptors: {len(fds.file)} files, mlflow {mlflow.__version__} -> {out_path}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: extract_descriptors.py OUT.pb")
    main(sys.argv[1])
