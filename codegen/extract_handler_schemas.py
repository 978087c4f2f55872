"""Dump the per-handler request validation schemas of the pinned MLflow server as JSON.

Run with the .venv python:  .venv/bin/python codegen/extract_handler_schemas.py OUT.json

Every handler in mlflow/server/handlers.py calls `_get_request_message(RequestType(), schema={...})`
with a dict of parameter -> list of validators. This reads that module's syntax tree (it does not
run the handlers) and writes, per request message full name, the parameters in order and their
validators as data:
  - a plain validator name ("_assert_string", "_assert_required", ...);
  - {"op": "int_at_most", "max": N}                 for lambda x: _assert_less_than_or_equal(int(x), N)
  - {"op": "len_at_most", "max": N, "message": T}   for ... (len(x), N, message=f"...")
  - {"op": "int_within", "min": A, "max": B, "message": T}  for _assert_intlike_within_range(int(x), ...)
  - {"op": "unsupported", "source": "..."}          for anything else (the TS side decides).
Messages are templates where `{n}` stands for len(x); module constants are resolved to values.
"""

import ast
import inspect
import json
import sys

import mlflow.server.handlers as handlers


def const_value(node):
    """Value of a literal or of a module-level constant of handlers.py."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name) and hasattr(handlers, node.id):
        value = getattr(handlers, node.id)
        if isinstance(value, (int, float, str)):
            return value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -const_value(node.operand)
    raise ValueError(ast.unparse(node))


def is_call(node, name):
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name


def template(node, arg):
    """An f-string message as a template; `len(<arg>)` becomes {n}."""
    if isinstance(node, ast.Constant):
        return str(node.value).replace("{", "{{").replace("}", "}}")
    if not isinstance(node, ast.JoinedStr):
        raise ValueError(ast.unparse(node))
    out = []
    for part in node.values:
        if isinstance(part, ast.Constant):
            out.append(str(part.value).replace("{", "{{").replace("}", "}}"))
        elif isinstance(part, ast.FormattedValue):
            v = part.value
            if is_call(v, "len") and isinstance(v.args[0], ast.Name) and v.args[0].id == arg:
                out.append("{n}")
            else:
                out.append(str(const_value(v)))
    return "".join(out)


def keyword(call, name):
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    return None


def describe_lambda(lam):
    arg = lam.args.args[0].arg
    body = lam.body
    try:
        if is_call(body, "_assert_less_than_or_equal"):
            subject, limit = body.args[0], const_value(body.args[1])
            msg = keyword(body, "message")
            if is_call(subject, "int") and msg is None:
                return {"op": "int_at_most", "max": limit}
            if is_call(subject, "len"):
                spec = {"op": "len_at_most", "max": limit}
                if msg is not None:
                    spec["message"] = template(msg, arg)
                return spec
        if is_call(body, "_assert_intlike_within_range") and is_call(body.args[0], "int"):
            spec = {"op": "int_within", "min": const_value(body.args[1]), "max": const_value(body.args[2])}
            msg = keyword(body, "message")
            if msg is not None:
                spec["message"] = template(msg, arg)
            return spec
    except ValueError:
        pass
    return {"op": "unsupported", "source": ast.unparse(lam)}


def main(out_path):
    tree = ast.parse(inspect.getsource(handlers))
    schemas = {}
    for node in ast.walk(tree):
        if not is_call(node, "_get_request_message") or not node.args:
            continue
        first = node.args[0]
        if not (isinstance(first, ast.Call) and isinstance(first.func, ast.Name)):
            continue
        cls = getattr(handlers, first.func.id, None)
        if cls is None or not hasattr(cls, "DESCRIPTOR"):
            continue
        schema_node = keyword(node, "schema")
        params = []
        if schema_node is not None:
            if not isinstance(schema_node, ast.Dict):
                params = None
            else:
                for k, v in zip(schema_node.keys, schema_node.values):
                    validators = []
                    for e in v.elts:
                        if isinstance(e, ast.Name):
                            validators.append(e.id)
                        elif isinstance(e, ast.Lambda):
                            validators.append(describe_lambda(e))
                        else:
                            validators.append({"op": "unsupported", "source": ast.unparse(e)})
                    params.append([k.value, validators])
        name = cls.DESCRIPTOR.full_name
        if name in schemas and schemas[name] != params:
            # Two handlers validating one message differently: the TS side must choose by hand.
            schemas[name] = None
        else:
            schemas[name] = params
    # A handler registered for another request type than the one it parses (DeleteTracesV3 is
    # served by the function that parses DeleteTraces) validates that type with the parsed one's schema.
    parsed_by_function = {}
    for fn in tree.body:
        if not isinstance(fn, ast.FunctionDef):
            continue
        for node in ast.walk(fn):
            if is_call(node, "_get_request_message") and node.args and isinstance(node.args[0], ast.Call):
                cls = getattr(handlers, getattr(node.args[0].func, "id", ""), None)
                if cls is not None and hasattr(cls, "DESCRIPTOR"):
                    parsed_by_function.setdefault(fn.name, cls.DESCRIPTOR.full_name)
    for request_class, fn in handlers.HANDLERS.items():
        name = request_class.DESCRIPTOR.full_name
        parsed = parsed_by_function.get(getattr(fn, "__name__", ""))
        if name not in schemas and parsed is not None and parsed != name and parsed in schemas:
            schemas[name] = schemas[parsed]
    with open(out_path, "w") as f:
        json.dump(schemas, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"extract_handler_schemas: {len(schemas)} request types -> {out_path}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: extract_handler_schemas.py OUT.json")
    main(sys.argv[1])
