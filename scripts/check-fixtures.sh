#!/usr/bin/env bash
# scripts/check-fixtures.sh — sanity checks over tests/fixtures/ that need no
# container runtime (safe for CI):
#   * every scenario dir has README.md and proc/self/status;
#   * only regular files, directories and symlinks (git can store them);
#   * no file over 1 MiB;
#   * symlinks only at proc/self/ns/<name>, relative, of the form name:[inode];
#   * every *.errno holds one errno name + newline, and its file is absent;
#   * every scenario listed in tests/fixtures/README.md exists and vice versa.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
FIX="$(cd "${1:-$HERE/../tests/fixtures}" && pwd)"
bad=0
err() { printf 'check-fixtures: %s\n' "$*" >&2; bad=1; }

for d in "$FIX"/*/; do
  s="$(basename "$d")"
  [ -f "$d/README.md" ] || err "$s: no README.md"
  [ -f "$d/proc/self/status" ] || err "$s: no proc/self/status"
  grep -q "^| \`$s\` |" "$FIX/README.md" || err "$s: not indexed in tests/fixtures/README.md"
done
while IFS= read -r s; do
  [ -d "$FIX/$s" ] || err "README.md indexes $s, which does not exist"
done < <(sed -n 's/^| `\([^`]*\)` |.*/\1/p' "$FIX/README.md")

while IFS= read -r f; do err "special file (not storable): $f"; done \
  < <(find "$FIX" ! -type f ! -type d ! -type l)
while IFS= read -r f; do err "file over 1 MiB: $f"; done \
  < <(find "$FIX" -type f -size +1024k)
while IFS= read -r l; do
  t="$(readlink "$l")"
  case "$l" in */proc/self/ns/*) ;; *) err "symlink outside proc/self/ns: $l -> $t" ;; esac
  [[ "$t" =~ ^[a-z_]+:\[[0-9]+\]$ ]] || err "unexpected symlink target: $l -> $t"
done < <(find "$FIX" -type l)
while IFS= read -r e; do
  [[ "$(cat "$e")" =~ ^E[A-Z0-9]+$ ]] && [ "$(tail -c1 "$e" | od -An -c | tr -d ' ')" = '\n' ] \
    || err "bad errno file: $e"
  [ ! -e "${e%.errno}" ] || err "both file and .errno exist: ${e%.errno}"
done < <(find "$FIX" -name '*.errno')

if [ $bad = 0 ]; then
  echo "check-fixtures: ok ($(find "$FIX" -mindepth 1 -maxdepth 1 -type d | wc -l) scenarios)"
else
  exit 1
fi
