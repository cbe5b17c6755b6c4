#!/usr/bin/env python3
"""Compares two red-flag outputs (`adal-rules redflags` or
`ocdscardinal indicators`): groups OCID / Buyer / ProcuringEntity /
Tenderer, each id mapping indicator codes to values.

Reports, per indicator and group, how many results agree, differ in value,
or are present on one side only, with a few examples of each, and exits
1 if anything differs. Numbers are compared with a relative tolerance
(default 1e-9). `Meta` (quartiles and fences) is compared too unless
--no-meta, with the 4-decimal rounding both tools apply.

    python3 tests/load/compare_redflags.py adal.json cardinal.json
"""

import argparse
import json
import math
import sys
from collections import defaultdict

GROUPS = ("OCID", "Buyer", "ProcuringEntity", "Tenderer")


def load(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    # cardinal prints the JSON object on the first line (and counts after
    # it with --count); adal-rules prints one object.
    first = text.lstrip().split("\n", 1)[0]
    try:
        return json.loads(first)
    except json.JSONDecodeError:
        return json.loads(text)


def close(a, b, tol):
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=tol, abs_tol=tol)
    return a == b


def compare(left, right, tol, meta, examples):
    stats = defaultdict(lambda: {"same": 0, "value": [], "left_only": [], "right_only": []})
    for group in GROUPS:
        lg, rg = left.get(group, {}), right.get(group, {})
        for ident in set(lg) | set(rg):
            lv, rv = lg.get(ident, {}), rg.get(ident, {})
            for code in set(lv) | set(rv):
                s = stats[(code, group)]
                if code not in rv:
                    s["left_only"].append((ident, lv[code]))
                elif code not in lv:
                    s["right_only"].append((ident, rv[code]))
                elif close(lv[code], rv[code], tol):
                    s["same"] += 1
                else:
                    s["value"].append((ident, lv[code], rv[code]))
    meta_diffs = []
    if meta:
        lm, rm = left.get("Meta", {}), right.get("Meta", {})
        for code in sorted(set(lm) | set(rm)):
            a, b = lm.get(code, {}), rm.get(code, {})
            for key in sorted(set(a) | set(b)):
                if key not in a or key not in b or not close(a[key], b[key], 1e-4):
                    meta_diffs.append((code, key, a.get(key), b.get(key)))
    differs = False
    print(f"{'indicator':<10}{'group':<17}{'same':>8}{'value':>8}{'left':>8}{'right':>8}")
    for (code, group) in sorted(stats):
        s = stats[(code, group)]
        n = [len(s[k]) for k in ("value", "left_only", "right_only")]
        differs |= any(n)
        print(f"{code:<10}{group:<17}{s['same']:>8}{n[0]:>8}{n[1]:>8}{n[2]:>8}")
        for kind in ("value", "left_only", "right_only"):
            for ex in sorted(s[kind], key=str)[:examples]:
                print(f"    {kind}: {ex}")
    for d in meta_diffs:
        differs = True
        print(f"Meta {d[0]} {d[1]}: {d[2]} != {d[3]}")
    return differs


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("left")
    p.add_argument("right")
    p.add_argument("--tolerance", type=float, default=1e-9)
    p.add_argument("--no-meta", action="store_true", help="do not compare Meta")
    p.add_argument("--examples", type=int, default=3, help="examples shown per difference kind")
    a = p.parse_args()
    left, right = load(a.left), load(a.right)
    if compare(left, right, a.tolerance, not a.no_meta, a.examples):
        print("DIFFERENT")
        sys.exit(1)
    print("AGREE")


if __name__ == "__main__":
    main()
