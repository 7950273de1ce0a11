#!/usr/bin/env bash
# Counts the crate's public surface from rustdoc's JSON output: every item a
# user can name (modules, types, functions, methods of inherent impls,
# constants, statics, traits, type aliases, macros), reached from the crate
# root through public modules and re-exports, each counted once. Fields and
# enum variants are counted apart (not in the total); items under a
# #[doc(hidden)] module or item are not counted.
#
#   scripts/public-surface.sh           # prints the counts
#   scripts/public-surface.sh --max N   # also fails when the total exceeds N
#
# rustdoc's JSON output is unstable; this stable toolchain produces it with
# RUSTC_BOOTSTRAP=1. CARGO_TARGET_DIR is honoured.
#
# Built with --document-hidden-items: without it rustdoc's JSON leaves out
# every item defined under a #[doc(hidden)] module, even when a public module
# re-exports it (the parsers' types re-exported from `report`), and the count
# would miss them. Hidden items themselves are skipped below.
set -euo pipefail
cd "$(dirname "$0")/.."
max=${2:-}
[ "${1:-}" = "--max" ] || max=
target=${CARGO_TARGET_DIR:-target}
RUSTC_BOOTSTRAP=1 RUSTDOCFLAGS='-Z unstable-options --output-format json --document-hidden-items' \
  cargo doc --quiet --no-deps --all-features --lib
python3 - "$target/doc/posture.json" "$max" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
limit = int(sys.argv[2]) if sys.argv[2] else None
index = doc["index"]

def hidden(item):
    text = json.dumps(item.get("attrs", [])).replace(" ", "")
    return "doc(hidden)" in text or '"hidden"' in text

def kind(item):
    return next(iter(item["inner"]))

counted, fields, variants = {}, set(), set()
seen = set()

def visit(i):
    i = None if i is None else str(i)
    if i is None or i in seen or i not in index:
        return
    item = index[i]
    if item["crate_id"] != 0 or hidden(item):
        return
    seen.add(i)
    k = kind(item)
    inner = item["inner"][k]
    if k == "use":
        target = inner.get("id")
        if inner.get("is_glob") and str(target) in index:
            for c in index[str(target)]["inner"].get("module", {}).get("items", []):
                if index.get(str(c), {}).get("visibility") == "public":
                    visit(c)
        else:
            visit(target)
        return
    if k == "struct_field":
        fields.add(i)
        return
    if k == "variant":
        variants.add(i)
        return
    counted[i] = (k, item.get("name"))
    if k == "module":
        for c in inner["items"]:
            if index.get(str(c), {}).get("visibility") == "public":
                visit(c)
    elif k in ("struct", "enum", "union"):
        kinds = inner.get("kind", {})
        if k == "struct" and isinstance(kinds, dict) and "plain" in kinds:
            for f in kinds["plain"].get("fields", []):
                if index.get(str(f), {}).get("visibility") == "public":
                    fields.add(str(f))
        if k == "enum":
            for v in inner.get("variants", []):
                variants.add(str(v))
        for imp in inner.get("impls", []):
            im = index.get(str(imp))
            if not im or im["inner"]["impl"].get("trait") is not None:
                continue
            for c in im["inner"]["impl"]["items"]:
                ci = index.get(str(c))
                if ci and ci.get("visibility") == "public" and not hidden(ci):
                    counted[str(c)] = (kind(ci), ci.get("name"))

visit(doc["root"])
by_kind = {}
for k, _ in counted.values():
    by_kind[k] = by_kind.get(k, 0) + 1
total = len(counted)
print(f"public items: {total} ({', '.join(f'{v} {k}' for k, v in sorted(by_kind.items()))}); "
      f"also {len(fields)} public fields and {len(variants)} enum variants")
if limit is not None and total > limit:
    print(f"public-surface: {total} public items, more than {limit}", file=sys.stderr)
    sys.exit(1)
PY
