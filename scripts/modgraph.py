#!/usr/bin/env python3
"""The dependency graph between camreel's top-level modules.

Usage: python3 scripts/modgraph.py [SRC_DIR]   (default: src)

Counts the `crate::NAME` paths in each top-level module's files, skipping
comments, `#[cfg(test)]` items (brace-matched) and test-only files
(`tests.rs`, `testing.rs`). Prints one line per module with the modules it
uses, then any import cycles (strongly connected components of more than
one module) with the files that make each edge. Exits 1 if there is a
cycle."""
import os, re, sys
from collections import defaultdict

src = sys.argv[1] if len(sys.argv) > 1 else "src"
mods = set()
for name in os.listdir(src):
    if name == "bin" or name == "lib.rs" or name == "main.rs":
        continue
    p = os.path.join(src, name)
    if os.path.isdir(p):
        mods.add(name)
    elif name.endswith(".rs"):
        mods.add(name[:-3])

def strip(text):
    out = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        l = lines[i]
        s = l.strip()
        if s.startswith("#[cfg(test)]"):
            # skip the following item: to the matching close brace or ';'
            depth = 0; started = False
            i += 1
            while i < len(lines):
                t = lines[i]
                code = re.sub(r'"(\\.|[^"\\])*"', '""', t)
                code = re.sub(r"'(\\.|[^'\\])'", "''", code).split("//")[0]
                depth += code.count("{") - code.count("}")
                if "{" in code: started = True
                if (started and depth <= 0) or (not started and code.strip().endswith(";")):
                    break
                i += 1
            i += 1
            continue
        if s.startswith("//"):
            i += 1
            continue
        out.append(l.split("//")[0] if "\"" not in l else l)
        i += 1
    return "\n".join(out)

edges = defaultdict(lambda: defaultdict(list))
for m in sorted(mods):
    base = os.path.join(src, m)
    files = []
    if os.path.isdir(base):
        for root, _, fs in os.walk(base):
            files += [os.path.join(root, f) for f in fs if f.endswith(".rs")]
    else:
        files = [base + ".rs"]
    for f in files:
        text = open(f).read()
        # Files that are test modules (`#[cfg(test)] mod tests;`, `mod testing;`)
        if os.path.basename(f) in ("tests.rs", "testing.rs"):
            continue
        code = strip(text)
        # `use crate::{a, b::c}` groups too
        for g in re.findall(r"crate::\{([^}]*)\}", code):
            for part in g.split(","):
                n = part.strip().split("::")[0]
                if n in mods and n != m:
                    edges[m][n].append(os.path.relpath(f, src))
        for n in re.findall(r"crate::(\w+)", code):
            if n in mods and n != m:
                edges[m][n].append(os.path.relpath(f, src))

for m in sorted(mods):
    deps = sorted(edges[m])
    print(f"{m:10} -> {', '.join(deps) if deps else '(none)'}")

# Tarjan SCC
index = {}; low = {}; stack = []; on = set(); sccs = []; c = [0]
def sc(v):
    index[v] = low[v] = c[0]; c[0] += 1; stack.append(v); on.add(v)
    for w in edges[v]:
        if w not in index:
            sc(w); low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop(); on.discard(w); comp.append(w)
            if w == v: break
        sccs.append(comp)
for v in sorted(mods):
    if v not in index: sc(v)
cyc = [s for s in sccs if len(s) > 1]
if cyc:
    print("CYCLES:")
    for s in cyc:
        print("  ", " <-> ".join(sorted(s)))
        for a in s:
            for b in s:
                if b in edges[a]:
                    print(f"     {a} -> {b}: {sorted(set(edges[a][b]))}")
    sys.exit(1)
print("no cycles between top-level modules")
