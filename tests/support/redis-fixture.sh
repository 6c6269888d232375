#!/usr/bin/env bash
# A throwaway Redis server on a free loopback port for the tests that need one:
#   redis-fixture.sh start DIR [PORT]  starts it (on PORT if given), writes
#                                      "127.0.0.1:PORT" to DIR/address
#   redis-fixture.sh stop DIR    stops it and removes DIR
# Nothing is persisted; it listens on 127.0.0.1 only.
set -euo pipefail
action=$1
dir=$2

case "$action" in
start)
    command -v redis-server >/dev/null || {
        echo "redis-server is not installed (scripts/test installs it)" >&2
        exit 1
    }
    rm -rf "$dir"
    mkdir -p "$dir"
    port=${3:-}
    [ -n "$port" ] || port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no \
        --dir "$dir" --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --daemonize yes
    for _ in $(seq 1 100); do
        if redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG; then
            echo "127.0.0.1:$port" >"$dir/address"
            echo "redis-server on 127.0.0.1:$port"
            exit 0
        fi
        sleep 0.1
    done
    echo "redis-server did not start; its log:" >&2
    cat "$dir/redis.log" >&2 || true
    exit 1
    ;;
stop)
    if [ -f "$dir/redis.pid" ]; then
        # Read once: the server removes its pid file as it exits.
        pid=$(cat "$dir/redis.pid")
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
    fi
    rm -rf "$dir"
    ;;
*)
    echo "usage: $0 start|stop DIR" >&2
    exit 2
    ;;
esac
