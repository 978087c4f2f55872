# Writes python-compat.json (the golden answers of tests/unit/python-compat.test.ts):
#   .venv/bin/python tests/unit/golden/python-compat.py > tests/unit/golden/python-compat.json
import json, posixpath, shlex, ast, math
from urllib.parse import urlsplit, urlunsplit, urlparse, unquote, unquote_plus
strs = ["plain", "it's", 'say "hi"', "both ' and \"", "tab\there", "nl\nx", "\x00\x1f\x7f", "back\\slash", "é ü 😀", ""]
floats = [0.0, -0.0, 1.0, 1.5, -2.25, 1e16, 1e-5, 0.0001, 1.5e-7, 123456789012.5, 1.7976931348623157e308, float('nan'), float('inf'), float('-inf'), 2.0**53, 0.1+0.2]
ints = [0, -5, 2**53 + 2, -(2**63), 2**63, 10**16]
json_values = [None, True, False, 1, -7, 1.5, "x", "é\x7f\"\\", [1, "a", None], {"b": 1, "a": [True, 2.5]}, float('nan'), float('inf')]
paths = ["", "a/b/../c", "/a//b/./c/", "//a/b", "///a", "../x/..", "a/../../b", "."]
urls = ["s3://bucket/path?q=1#frag", "file:///tmp/x", "file:rel/path", "mlflow-artifacts:/x", "http://h:80", "/abs/path", "rel", "HTTP://Host/p;params?x"]
shl = ["a b  c", "'x y' z", '"a \\" b" c', "a\\ b", "metrics.`m 1` DESC"]
lits = ["('a', 'b')", "['x']", "(1, 2.5, None, True)", "('a' 'b',)", "(-1, +2)"]
def floatrepr(x): return repr(x)
out = {
  "reprStr": [[s, repr(s)] for s in strs],
  "floatRepr": [[repr(f) if math.isfinite(f) else str(f), repr(f)] for f in floats],
  "intStr": [[str(i), str(i)] for i in ints],
  "jsonDumps": [[v if not (isinstance(v, float) and not math.isfinite(v)) else str(v), json.dumps(v, sort_keys=True, separators=(",", ":"))] for v in json_values],
  "reprJson": [[v if not (isinstance(v, float) and not math.isfinite(v)) else str(v), repr(v)] for v in json_values if not (isinstance(v, float))],
  "reprBytes": [[list(b), repr(b)] for b in [b"abc", b"it's", b"\x00\xff\"'", b"\\\n"]],
  "reprDictList": [[[{"key": "k", "old_value": "o'", "new_value": "n"}], repr([{"key": "k", "old_value": "o'", "new_value": "n"}])]],
  "normpath": [[p, posixpath.normpath(p)] for p in paths],
  "posixJoin": [[a, b, posixpath.join(a, b)] for a, b in [("a", "b"), ("a/", "b"), ("", "b"), ("a", "/b")]],
  "urlsplit": [[u, list(urlsplit(u)), urlunsplit(urlsplit(u))] for u in urls],
  "urlparse": [[u, [urlparse(u).path, urlparse(u).params, urlparse(u).hostname or ""], urlsplit(u, allow_fragments=False).path] for u in urls + ["models:/m#x/1", "s3://b/a;b/c;d", "file://LocalHost:99/x", "http://u:p@[::1]:8/x"]],
  "unquote": [[q, unquote(q), unquote_plus(q)] for q in ["a%2Fb", "%2e%2e/%2E", "a+b%20c", "%e2%82%ac", "%ff%fe", "%zz%4", "%25252e"]],
  "shlex": [[s, shlex.split(s.replace("`", '"'))] for s in shl],
  "literalEval": [[s, list(ast.literal_eval(s)) if isinstance(ast.literal_eval(s), (tuple, list)) else ast.literal_eval(s)] for s in lits],
  "strLen": [[s, len(s)] for s in strs],
  "intOf": [[s, int(s)] for s in ["  12 ", "1_000", "-3", "+7"]],
  "floatOf": [[s, str(float(s))] for s in [" 1.5 ", "1e3", "-inf", "nan", "1_0.5", ".5", "5."]],
}
print(json.dumps(out, indent=1, ensure_ascii=False))
