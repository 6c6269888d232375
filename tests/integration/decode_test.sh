#!/usr/bin/env bash
# gatewire-decode: an event with an unreadable field is delivered (exit 0, a
# warning naming the field on stderr); --strict refuses it (exit 1).
set -euo pipefail
decode=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo '{"op":0,"s":7,"t":"MESSAGE_CREATE","d":{"id":"1","channel_id":"2","tts":"yes","author":{"id":"3","public_flags":"0"}}}' >"$work/event.json"

"$decode" "$work/event.json" >"$work/out" 2>"$work/err"
grep -q 'warning: MESSAGE_CREATE (seq 7) at tts: expected a boolean' "$work/err"
grep -q '"public_flags":0' "$work/out"

if "$decode" --strict "$work/event.json" >"$work/out" 2>"$work/err"; then
    echo "--strict accepted an unreadable field" >&2
    exit 1
fi
grep -q 'MESSAGE_CREATE (seq 7) at tts' "$work/err"
echo "gatewire-decode: lenient 0, strict 1"
