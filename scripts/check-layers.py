#!/usr/bin/env python3
"""Dependencies point down: a file of one layer includes only its own layer
and the layers below it (docs/architecture.md). The layers, lowest first, are
the folders of include/gatewire/ and src/; a layer's header and source share
its rank. gatewire/gatewire.hpp, the umbrella, stands above them all."""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
# Lowest first. detail is below model: the codecs and parsers know no event.
LAYERS = ["core", "detail", "model", "events", "protocol", "dispatch", "scale",
          "transport", "client", "redis", "sim"]
RANK = {name: i for i, name in enumerate(LAYERS)}
# Layers beside each other rather than one above the other.
PEERS = {("redis", "sim"), ("sim", "redis")}
INCLUDE = re.compile(r'#include\s+["<](?:gatewire/)?([a-z_]+)/[^">]+[">]')


def layer_of(path):
    rel = path.relative_to(ROOT).parts
    if rel[0] == "include":
        return rel[2] if len(rel) > 3 else None
    return rel[1] if len(rel) > 2 else None


def main():
    errors = []
    files = list((ROOT / "include/gatewire").rglob("*.hpp")) + \
        [p for p in (ROOT / "src").rglob("*") if p.suffix in (".hpp", ".cpp")]
    for path in sorted(files):
        own = layer_of(path)
        if path.parent == ROOT / "include/gatewire" and path.name == "gatewire.hpp":
            continue  # the umbrella header, above every layer
        if own not in RANK:
            errors.append(f"{path.relative_to(ROOT)}: not in a layer folder")
            continue
        for n, line in enumerate(path.read_text().splitlines(), 1):
            m = INCLUDE.match(line.strip())
            if not m or m.group(1) not in RANK:
                continue
            dep = m.group(1)
            if RANK[dep] > RANK[own] or (own, dep) in PEERS:
                errors.append(f"{path.relative_to(ROOT)}:{n}: {own} includes {dep}, "
                              f"a layer above it: {line.strip()}")
    for e in errors:
        print(e, file=sys.stderr)
    if errors:
        sys.exit(1)
    print(f"layers: {len(files)} files, every include points down")


if __name__ == "__main__":
    main()
