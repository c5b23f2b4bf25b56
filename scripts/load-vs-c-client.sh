#!/usr/bin/env bash
# Load baseline: the C load client (interop/loadclient) against the libmilter cmilter in --plain mode.
# It is what `milter-replay --connections N` is compared with.
#
#   scripts/load-vs-c-client.sh [CONNECTIONS] [MESSAGES_PER_CONNECTION]     (defaults: 64 100)
#
# Then it runs the release build of `milter-replay` doing the same work (the same number of
# connections and messages per connection, one RCPT, 10 headers, a 4 KB body) against the same
# milter, and prints the throughput ratio milter-replay / C client. Set REPLAY=0 to skip that.
# REPLAY_CMD, if set, is also run against the same milter, with MILTER_HOST and MILTER_PORT in its
# environment. Needs cc and libmilter-dev (.ci/install-peers).
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
baseline=$("$work/loadclient" -c "$connections" -m "$messages" 127.0.0.1 "$port")
echo "$baseline"

if [ "${REPLAY:-1}" != 0 ]; then
    (cd "$root" && swift build -c release --product milter-replay >/dev/null)
    {
        printf 'From: sender@example.com\r\nTo: rcpt@example.org\r\nSubject: load\r\nDate: Sat, 28 Nov 2026 00:00:00 +0000\r\n'
        printf 'Message-ID: <load@example.com>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\nX-Mailer: load\r\n'
        printf 'X-Load-Index: 1\r\nReceived-SPF: none\r\n\r\n'
        for _ in $(seq 55); do printf '%072d\r\n' 0; done
    } >"$work/load.eml"
    echo "milter-replay (release, $connections connections x $messages messages, same message shape):"
    replay=$("$root/.build/release/milter-replay" --target "127.0.0.1:$port" --connections "$connections" \
        --messages-per-connection "$messages" --repeat $((connections * messages)) --quiet \
        --from sender@example.com --rcpt rcpt@example.org "$work/load.eml")
    echo "$replay"
    c_rate=$(echo "$baseline" | grep -o 'rate=[0-9.]*' | cut -d= -f2)
    swift_rate=$(echo "$replay" | sed -n 's/^throughput: \([0-9.]*\) messages.*/\1/p')
    echo "ratio milter-replay / C client: $(/usr/bin/python3 -c "print(round($swift_rate / $c_rate, 2))")"
fi

if [ -n "${REPLAY_CMD:-}" ]; then
    echo "milter-replay:"
    MILTER_HOST=127.0.0.1 MILTER_PORT=$port bash -c "$REPLAY_CMD"
fi
