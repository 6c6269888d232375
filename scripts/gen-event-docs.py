#!/usr/bin/env python3
"""Writes docs/events.md from include/gatewire/events/event_list.hpp.

With --check, exits 1 when docs/events.md is not what the table gives.
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
SENT_BY = {"D": "Discord", "F": "Fluxer", "DF": "Discord, Fluxer"}

HEADER = """# Events

Every dispatch event gatewire types, generated from `include/gatewire/events/event_list.hpp`
by `scripts/gen-event-docs.py`. Each struct lives in `namespace gatewire::events`
(`#include <gatewire/events/all.hpp>`).

How decoding treats a payload:

- Only events with a handler or waiter are decoded, once for all of them.
- An event name not in this table reaches `on_raw` listeners as JSON text.
- Unknown fields are ignored. A field of the wrong type or shape is left
  empty and the event is still delivered: the decode-error listeners get a
  warning with the event name, the field path (`mentions[2].id`), the seq and
  what was expected. Numeric strings are read where integers are due; an
  object without its `id` is reported. `DecodeOptions::strict` fails the
  event instead.
- `std::optional<T>`: the field may be absent (or null where that means
  nothing). `Nullable<T>`: absent, null and a value are three different things
  (`nick: null` clears a nickname; no `nick` leaves it).
- Snowflakes are 64-bit integers read from decimal strings; timestamps are
  `std::chrono::sys_time<microseconds>` from ISO 8601 or Unix seconds or
  milliseconds; permissions are 64-bit; enums keep values they do not name.
- Bare-array payloads (SESSIONS_REPLACE, USER_PINNED_DMS_UPDATE) decode into
  the struct's one member. Fluxer events whose shape Fluxer does not publish
  carry their `d` as `RawJson payload`.
- Secrets inside events (rotated tokens, voice and interaction tokens) are
  `Secret` values: usable, never printed.

| event | struct | sent by |
|---|---|---|
"""


def render() -> str:
    table = (ROOT / "include/gatewire/events/event_list.hpp").read_text()
    rows = re.findall(r'X\((\w+),\s*"(\w+)",\s*(\w+),\s*(\w+)\)', table)
    lines = [f"| `{wire}` | `events::{struct}` | {SENT_BY[sent]} |" for _, wire, struct, sent in rows]
    return HEADER + "\n".join(lines) + "\n"


def main() -> int:
    target = ROOT / "docs/events.md"
    text = render()
    if "--check" in sys.argv:
        if target.read_text() != text:
            print("docs/events.md is stale: run scripts/gen-event-docs.py", file=sys.stderr)
            return 1
        return 0
    target.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
