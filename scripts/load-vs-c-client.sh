#!/usr/bin/env bash
# Load baseline: the C load client (interop/loadclient) against the libmilter cmilter in --plain mode.
# It is what `milter-replay --connections N` is compared with.
#
#   scripts/load-vs-c-client.sh [CONNECTIONS] [MESSAGES_PER_CONNECTION]     (defaults: 64 100)
#
# REPLAY_CMD, if set, is also run against the same milter, with MILTER_HOST and MILTER_PORT in its
# environment, e.g. REPLAY_CMD='.build/release/milter-replay load --target $MILTER_HOST:$MILTER_PORT ...'
# (its command line belongs to milter-replay; this script only runs it next to the baseline).
# Needs cc and libmilter-dev (.ci/install-peers).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
connections=${1:-64}
messages=${2:-100}
work=$(mktemp -d /tmp/load-vs-c-client.XXXXXX)
milter_pid=
cleanup() {
    [ -z "$milter_pid" ] || kill "$milter_pid" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

cc -O2 -Wall -o "$work/cmilter" "$root/interop/cmilter/cmilter.c" -lmilter -lpthread
cc -O2 -Wall -o "$work/loadclient" "$root/interop/loadclient/loadclient.c" -lpthread

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$work/cmilter" --plain "inet:$port@127.0.0.1" >"$work/cmilter.log" 2>&1 &
milter_pid=$!
for _ in $(seq 100); do
    /usr/bin/python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1",int(sys.argv[1])),1)' "$port" \
        2>/dev/null && break
    sleep 0.1
done

echo "milter: libmilter cmilter --plain on 127.0.0.1:$port"
echo "baseline (C client, $connections connections x $messages messages, 4 KB body):"
"$work/loadclient" -c "$connections" -m "$messages" 127.0.0.1 "$port"

if [ -n "${REPLAY_CMD:-}" ]; then
    echo "milter-replay:"
    MILTER_HOST=127.0.0.1 MILTER_PORT=$port bash -c "$REPLAY_CMD"
fi
