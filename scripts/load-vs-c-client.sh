#!/usr/bin/env bash
# Load comparison: `milter-replay --connections N` against the C load client (interop/loadclient),
# both driving the same libmilter milter (interop/cmilter --plain) in the same run.
#
#   scripts/load-vs-c-client.sh [CONNECTIONS] [MESSAGES_PER_CONNECTION]     (defaults: 64 100)
#
# Both clients do the same work: Postfix-shaped sessions with the same number of connections and
# messages per connection, one RCPT, 10 headers and a 4 KB body per message. The script runs
# ROUNDS rounds (default 5); each round runs both clients once, alternating which goes first, so
# a burst of noise from other processes on a shared machine hits both. It prints every round's
# rates and ratio, then the median, lowest and highest ratio milter-replay / C client, and the CPU
# seconds per 1,000 messages of each client and of the milter (from /proc).
#
# Environment: ROUNDS, REPLAY_ARGS (extra milter-replay options, e.g. "--threads 4"), REPLAY=0 to
# run only the C client, REPLAY_CMD (also run against the same milter, with MILTER_HOST and
# MILTER_PORT set). Needs cc and libmilter-dev (.ci/install-peers).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
connections=${1:-64}
messages=${2:-100}
rounds=${ROUNDS:-5}
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
if [ "${REPLAY:-1}" != 0 ]; then
    (cd "$root" && swift build -c release --product milter-replay >/dev/null)
fi
{
    printf 'From: sender@example.com\r\nTo: rcpt@example.org\r\nSubject: load\r\nDate: Sat, 28 Nov 2026 00:00:00 +0000\r\n'
    printf 'Message-ID: <load@example.com>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\nX-Mailer: load\r\n'
    printf 'X-Load-Index: 1\r\nReceived-SPF: none\r\n\r\n'
    for _ in $(seq 55); do printf '%072d\r\n' 0; done
} >"$work/load.eml"

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$work/cmilter" --plain "inet:$port@127.0.0.1" >"$work/cmilter.log" 2>&1 &
milter_pid=$!
for _ in $(seq 100); do
    /usr/bin/python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1",int(sys.argv[1])),1)' "$port" \
        2>/dev/null && break
    sleep 0.1
done
echo "milter: libmilter cmilter --plain on 127.0.0.1:$port; $connections connections x $messages messages per run"

ticks=$(getconf CLK_TCK)
milter_ticks() { awk '{ print $14 + $15 }' "/proc/$milter_pid/stat"; }

# run NAME COMMAND...: runs a client; prints "RATE CLIENT_CPU_S MILTER_CPU_S" and keeps its output.
run() {
    local name=$1 before after rate
    shift
    before=$(milter_ticks)
    /usr/bin/time -o "$work/$name.time" -f "%U %S" "$@" >"$work/$name.out"
    after=$(milter_ticks)
    case $name in
    c) rate=$(grep -o 'rate=[0-9.]*' "$work/c.out" | cut -d= -f2) ;;
    *) rate=$(sed -n 's/^throughput: \([0-9.]*\) messages.*/\1/p' "$work/$name.out") ;;
    esac
    echo "$rate $(awk '{ print $1 + $2 }' "$work/$name.time") $(awk -v t="$ticks" -v a="$before" -v b="$after" 'BEGIN { print (b - a) / t }')"
}

c_client=("$work/loadclient" -c "$connections" -m "$messages" 127.0.0.1 "$port")
# shellcheck disable=SC2206
replay=("$root/.build/release/milter-replay" --target "127.0.0.1:$port" --connections "$connections"
    --messages-per-connection "$messages" --repeat $((connections * messages)) --quiet
    --from sender@example.com --rcpt rcpt@example.org ${REPLAY_ARGS:-} "$work/load.eml")
total=$((connections * messages))
: >"$work/rounds"
for round in $(seq "$rounds"); do
    if [ "${REPLAY:-1}" = 0 ]; then
        read -r c_rate c_cpu c_milter <<<"$(run c "${c_client[@]}")"
        echo "round $round: C client ${c_rate} msg/s"
        continue
    fi
    if [ $((round % 2)) = 1 ]; then
        read -r c_rate c_cpu c_milter <<<"$(run c "${c_client[@]}")"
        read -r s_rate s_cpu s_milter <<<"$(run replay "${replay[@]}")"
    else
        read -r s_rate s_cpu s_milter <<<"$(run replay "${replay[@]}")"
        read -r c_rate c_cpu c_milter <<<"$(run c "${c_client[@]}")"
    fi
    echo "$c_rate $s_rate $c_cpu $s_cpu $c_milter $s_milter" >>"$work/rounds"
    awk -v r="$round" -v c="$c_rate" -v s="$s_rate" 'BEGIN {
        printf "round %d: C client %.0f msg/s, milter-replay %.0f msg/s, ratio %.2f\n", r, c, s, s / c }'
done
[ "${REPLAY:-1}" = 0 ] && exit 0
awk -v total="$total" '{
    ratio[NR] = $2 / $1; cc += $3; sc += $4; cm += $5; sm += $6
} END {
    n = NR; for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (ratio[j] < ratio[i]) { t = ratio[i]; ratio[i] = ratio[j]; ratio[j] = t }
    median = (n % 2) ? ratio[(n + 1) / 2] : (ratio[n / 2] + ratio[n / 2 + 1]) / 2
    printf "ratio milter-replay / C client over %d rounds: median %.2f, lowest %.2f, highest %.2f\n", n, median, ratio[1], ratio[n]
    k = 1000 / (total * n)
    printf "CPU seconds per 1,000 messages: C client %.3f, milter-replay %.3f; the milter %.3f when driven by the C client, %.3f by milter-replay\n", cc * k, sc * k, cm * k, sm * k
}' "$work/rounds"

if [ -n "${REPLAY_CMD:-}" ]; then
    echo "REPLAY_CMD:"
    MILTER_HOST=127.0.0.1 MILTER_PORT=$port bash -c "$REPLAY_CMD"
fi
