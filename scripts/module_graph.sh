#!/usr/bin/env bash
# Prints which top-level modules of the library (src/<module>.rs or
# src/<module>/) use which others, and fails if two modules use each other
# (directly). Usage: scripts/module_graph.sh [MODULE...]  (default: all;
# with names, prints only the edges from those modules).
set -euo pipefail
cd "$(dirname "$0")/../src"

modules=()
for entry in *; do
  case "$entry" in
    lib.rs | main.rs | bin) continue ;;
    *.rs) modules+=("${entry%.rs}") ;;
    *) [[ -d "$entry" ]] && modules+=("$entry") ;;
  esac
done

files_of() {
  if [[ -d "$1" ]]; then find "$1" -name '*.rs'; else echo "$1.rs"; fi
}

# uses A B: does module A's code (outside comments) name crate::B or super::B
# (from a top-level file) or `use crate::{.., B, ..}`?
declare -A edge
for a in "${modules[@]}"; do
  # Comments dropped, one line per `use` item so that groups spanning
  # lines (`use crate::{\n error::Error,\n image::Image,\n};`) match too.
  code=$(files_of "$a" | xargs cat | sed -e 's://.*$::' | tr '\n' ' ' | tr ';' '\n')
  for b in "${modules[@]}"; do
    [[ "$a" == "$b" ]] && continue
    if grep -Eq "crate::$b\b|crate::\{([^{}]*\{[^{}]*\})*[^{}]*[{,] *$b\b" <<<"$code"; then
      edge["$a $b"]=1
    elif [[ -f "$a.rs" ]] && grep -Eq "super::$b\b" <<<"$code"; then
      edge["$a $b"]=1
    fi
  done
done

want=("$@")
[[ ${#want[@]} -eq 0 ]] && want=("${modules[@]}")
for a in "${want[@]}"; do
  deps=()
  for b in "${modules[@]}"; do
    [[ -n "${edge["$a $b"]:-}" ]] && deps+=("$b")
  done
  printf '%-9s -> %s\n' "$a" "${deps[*]:-(none)}"
done

status=0
for key in "${!edge[@]}"; do
  read -r a b <<<"$key"
  if [[ "$a" < "$b" && -n "${edge["$b $a"]:-}" ]]; then
    echo "cycle: $a <-> $b" >&2
    status=1
  fi
done
exit $status
