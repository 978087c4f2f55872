"""The pinned MLflow's LLM cost step over stored span attributes -> golden JSON (tests/unit/model-cost.test.ts).

    MLFLOW_MODEL_CATALOG_URI= .venv/bin/python tests/integration/search-fixture/gen_model_cost_golden.py \
        > tests/unit/model-cost-golden.json

Each case is the stored texts of mlflow.chat.tokenUsage, mlflow.llm.model and mlflow.llm.provider
(null: absent) and the mlflow.llm.cost text translate_span_when_storing would store (null: none),
computed the way it does: json.loads of each text, calculate_cost_by_model_and_token_usage,
dump_span_attribute_value, any exception meaning no cost. Only the bundled catalog is used.
"""

import json
import os
import random
import sys

if os.environ.get("MLFLOW_MODEL_CATALOG_URI") != "":
    sys.exit("run with MLFLOW_MODEL_CATALOG_URI= (empty): the golden must not depend on the network")

from mlflow.tracing.utils import calculate_cost_by_model_and_token_usage, dump_span_attribute_value
from mlflow.utils import providers as P

rng = random.Random(11)


def stored_cost(usage_text, model_text, provider_text):
    try:
        usage = json.loads(usage_text)
        model = json.loads(model_text)
        provider = json.loads(provider_text) if provider_text is not None else None
        if cost := calculate_cost_by_model_and_token_usage(model, usage, provider):
            return dump_span_attribute_value(cost)
    except Exception:
        pass
    return None


catalog = {p: P._load_bundled_provider(p) for p in P._list_provider_names()}
names = list(catalog)

# Models of interest: with cache prices, 1-hour cache prices, a zero input price, no price, a
# key holding "/", listed by several providers.
by_model = {}
for p, models in catalog.items():
    for m in models:
        by_model.setdefault(m, []).append(p)
picked = []
for p, models in catalog.items():
    ms = list(models)
    picked += [(p, m) for m in rng.sample(ms, min(1, len(ms)))]
    for pred in (
        lambda i: "cache_read_input_token_cost" in i,
        lambda i: "cache_creation_input_token_cost" in i,
        lambda i: "cache_creation_input_token_cost_above_1hr" in i,
        lambda i: "input_cost_per_token" not in i,
        lambda i: i.get("input_cost_per_token") == 0,
    ):
        hits = [m for m, i in models.items() if pred(i)]
        if hits:
            picked.append((p, rng.choice(hits)))
shared = [m for m, ps in by_model.items() if len(ps) > 2]
picked += [(by_model[m][0], m) for m in rng.sample(shared, 40)]
zero_then_priced = [
    m
    for m, ps in by_model.items()
    if len(ps) > 1
    and not catalog[ps[0]][m].get("input_cost_per_token")
    and any(catalog[q][m].get("input_cost_per_token") for q in ps[1:])
]
picked += [(by_model[m][0], m) for m in zero_then_priced[:15]]
slashed = [(p, m) for p, models in catalog.items() for m in models if "/" in m]
picked += rng.sample(slashed, 15)


def usage_dict():
    u = {"input_tokens": rng.choice([0, 1, 7, 120, 1000, 12345, 987654]), "output_tokens": rng.choice([0, 3, 50, 777, 4096])}
    u["total_tokens"] = u["input_tokens"] + u["output_tokens"]
    r = rng.random()
    if r < 0.2:
        u["cache_read_input_tokens"] = rng.randint(0, u["input_tokens"] + 5)
    elif r < 0.4:
        u["cache_creation_input_tokens"] = rng.randint(0, u["input_tokens"] + 5)
        if rng.random() < 0.6:
            u["cache_creation_input_tokens_above_1hr"] = rng.randint(0, u["cache_creation_input_tokens"] + 3)
    elif r < 0.5:
        u["cache_read_input_tokens"] = rng.randint(0, 50)
        u["cache_creation_input_tokens"] = rng.randint(0, 50)
        u["cache_creation_input_tokens_above_1hr"] = rng.randint(0, 60)
    return u


cases = []


def add(usage, model, provider=None, raw=False):
    ut = usage if raw else json.dumps(usage)
    mt = model if raw else json.dumps(model)
    pt = provider if raw or provider is None else json.dumps(provider)
    cases.append([ut, mt, pt, stored_cost(ut, mt, pt)])


for p, m in picked:
    other = rng.choice(names)
    variants = [(m, p), (m, None), (m, other), (m, p.upper()), (f"{p}/{m}", p), (f"{p}/{m}", None)]
    for model, provider in rng.sample(variants, 2):
        add(usage_dict(), model, provider)

# Prefixes, Databricks names, unknown models and providers.
dbx = list(catalog.get("databricks", {}))[:12]
for m in dbx:
    add(usage_dict(), m, "anthropic")
    add(usage_dict(), m)
    add(usage_dict(), f"databricks/{m}", "openai")
    add(usage_dict(), f"databricks/{m.removeprefix('databricks-')}")
for m in ["gateway:/gpt-4o", "endpoints:/my-endpoint", "gateway:/claude-3-5-sonnet-20241022", "Gateway:/gpt-4o"]:
    add(usage_dict() | {"input_tokens": 10, "output_tokens": 5}, m, "openai")
for m in ["no-such-model", "openai/no-such-model", "GPT-4O", "gpt-4o ", "", "/gpt-4o", "a/b/gpt-4o"]:
    add({"input_tokens": 10, "output_tokens": 5}, m, "openai")
    add({"input_tokens": 10, "output_tokens": 5}, m)
for prov in ["OpenAI", "nosuch", "", "Azure", "./openai", "a/b", "openai ", 5, True, ["openai"], {"p": 1}, None]:
    add({"input_tokens": 100, "output_tokens": 20, "cache_read_input_tokens": 30}, "gpt-4o", prov)

# Odd token values.
W = [0, 1, -1, -5, 2, True, False, None, 0.0, -0.0, 1.5, 2.0, -3.25, 1e300, 1e-300, 10**18, 2**53 + 1, 10**30,
     10**400, "10", "", [], [1], {}, {"a": 1}]
models = ["gpt-4o", "claude-3-5-sonnet-20241022", "claude-sonnet-4-20250514", "gemini-2.0-flash"]
for i in range(260):
    u = {}
    for k in ["input_tokens", "output_tokens", "cache_read_input_tokens", "cache_creation_input_tokens",
              "cache_creation_input_tokens_above_1hr"]:
        if rng.random() < (0.8 if k in ("input_tokens", "output_tokens") else 0.35):
            u[k] = rng.choice(W) if rng.random() < 0.5 else rng.randint(0, 5000)
    add(u, rng.choice(models), rng.choice([None, "openai", "anthropic", "gemini"]))
for text in ["NaN", "Infinity", "-Infinity", "1e309", "-1e309", "1.0", "0.5", "12345678901234567890123"]:
    add('{"input_tokens": ' + text + ', "output_tokens": 10}', '"gpt-4o"', '"openai"', raw=True)
    add('{"input_tokens": 100, "output_tokens": ' + text + "}", '"gpt-4o"', None, raw=True)
    add('{"input_tokens": 100, "output_tokens": 1, "cache_read_input_tokens": ' + text + "}", '"gpt-4o"', None, raw=True)
    add('{"input_tokens": 100, "output_tokens": 1, "cache_creation_input_tokens": 50, '
        '"cache_creation_input_tokens_above_1hr": ' + text + "}", '"claude-sonnet-4-20250514"', '"anthropic"', raw=True)

# Usage and model that are not a dict and a str, texts that are not JSON, duplicate keys.
for usage, model, prov in [
    ('[1, 2]', '"gpt-4o"', None), ('"abc"', '"gpt-4o"', None), ("5", '"gpt-4o"', None), ("{}", '"gpt-4o"', None),
    ("null", '"gpt-4o"', None), ('{"input_tokens": 5}', "5", None), ('{"input_tokens": 5}', '["gpt-4o"]', None),
    ('{"input_tokens": 5}', "null", None), ('{"input_tokens": 5}', "not json", None),
    ("{bad", '"gpt-4o"', None), ('{"input_tokens": 5}', '"gpt-4o"', "not json"),
    ('{"input_tokens": 5, "input_tokens": 7, "output_tokens": 1}', '"gpt-4o"', '"openai"'),
    (' {"input_tokens": 5, "output_tokens": 1} ', ' "gpt-4o" ', ' "openai" '),
    ('{"output_tokens": 9}', '"gpt-4o"', None), ('{"input_tokens": 9}', '"gpt-4o"', None),
    ('{"input_tokens": 0, "output_tokens": 0, "cache_read_input_tokens": 5}', '"gpt-4o"', None),
    ('{"input_tokens": 0.0, "output_tokens": false}', '"gpt-4o"', None),
]:
    cases.append([usage, model, prov, stored_cost(usage, model, prov)])

print('{"cases": [\n' + ",\n".join(json.dumps(c, ensure_ascii=False) for c in cases) + "\n]}")
