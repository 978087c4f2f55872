"""Side-by-side reports of where two normalized transcripts disagree."""

from __future__ import annotations

import difflib
import json
from typing import Any

COL = 64


def dump(obj: Any) -> str:
    return json.dumps(obj, indent=2, sort_keys=False, ensure_ascii=False, default=repr)


def canonical(obj: Any) -> str:
    """What is compared: key order is not significant (JSON objects), everything else is."""
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, default=repr)


def _clip(s: str, width: int) -> str:
    return s if len(s) <= width else s[: width - 1] + "…"


def side_by_side(left: str, right: str, left_title: str, right_title: str) -> str:
    a, b = left.splitlines(), right.splitlines()
    out = [f"  {left_title:<{COL}} | {right_title}", "  " + "-" * COL + "-+-" + "-" * COL]
    sm = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal":
            block = list(zip(a[i1:i2], b[j1:j2]))
            if len(block) > 6:
                for la, lb in block[:2]:
                    out.append(f"  {_clip(la, COL):<{COL}} | {_clip(lb, COL)}")
                out.append(f"  {'… (' + str(len(block) - 4) + ' equal lines)':<{COL}} | …")
                block = block[-2:]
            for la, lb in block:
                out.append(f"  {_clip(la, COL):<{COL}} | {_clip(lb, COL)}")
        else:
            la, lb = a[i1:i2], b[j1:j2]
            for k in range(max(len(la), len(lb))):
                x = la[k] if k < len(la) else ""
                y = lb[k] if k < len(lb) else ""
                out.append(f"! {_clip(x, COL):<{COL}} | {_clip(y, COL)}")
    return "\n".join(out)


def report(ref: list[dict], cand: list[dict], ref_title: str, cand_title: str, max_steps: int = 6) -> str:
    """A readable report: which steps differ, each side by side, then a unified diff of the whole."""
    lines = []
    n = max(len(ref), len(cand))
    shown = 0
    differing = []
    for i in range(n):
        r = ref[i] if i < len(ref) else {"step": "(missing)"}
        c = cand[i] if i < len(cand) else {"step": "(missing)"}
        if canonical(r) != canonical(c):
            differing.append(i)
    lines.append(f"PARITY DIFFERENCE: {len(differing)} of {n} step(s) differ (after normalization)")
    for i in differing:
        if shown >= max_steps:
            lines.append(f"... and {len(differing) - shown} more differing step(s)")
            break
        r = ref[i] if i < len(ref) else {"step": "(missing)"}
        c = cand[i] if i < len(cand) else {"step": "(missing)"}
        step = r.get("step") if isinstance(r, dict) else None
        lines.append("")
        lines.append(f"--- step {i + 1}: {step}")
        lines.append(side_by_side(dump(_sorted(r)), dump(_sorted(c)), ref_title, cand_title))
        shown += 1
    ud = list(
        difflib.unified_diff(
            dump(_sorted(ref)).splitlines(),
            dump(_sorted(cand)).splitlines(),
            fromfile=ref_title,
            tofile=cand_title,
            lineterm="",
            n=2,
        )
    )
    if ud:
        lines.append("")
        lines.append("unified diff of the normalized transcripts:")
        lines.extend(ud[:200])
        if len(ud) > 200:
            lines.append(f"... ({len(ud) - 200} more diff lines)")
    return "\n".join(lines)


def _sorted(obj: Any) -> Any:
    """Objects with sorted keys (order is not compared), so the diff lines up."""
    if isinstance(obj, dict):
        return {k: _sorted(obj[k]) for k in sorted(obj, key=str)}
    if isinstance(obj, list):
        return [_sorted(v) for v in obj]
    return obj
