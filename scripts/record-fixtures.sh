#!/usr/bin/env bash
# Records the real milter captures in fixtures/pcap/ (see fixtures/pcap/README.md for what each holds).
# Peers: private Postfix instances (interop/postfix/postfix-instance.sh) with the libmilter cmilter
# (interop/cmilter) or OpenDKIM; SMTP sessions from interop/smtp-sessions.py.
# Needs root and the packages of .ci/install-peers. Re-runnable; overwrites the files.
#
#   scripts/record-fixtures.sh [OUTPUT_DIR]        (default: fixtures/pcap)
set -euo pipefail

[ "$(id -u)" = 0 ] || { echo "record-fixtures: needs root (Postfix, tcpdump)" >&2; exit 1; }
for tool in postfix smtp-sink tcpdump dumpcap opendkim opendkim-genkey cc m4 unshare; do
    command -v "$tool" >/dev/null || { echo "record-fixtures: $tool missing: run .ci/install-peers" >&2; exit 1; }
done
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/fixtures/pcap}
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d /tmp/record-fixtures.XXXXXX)
chmod 755 "$work" # the postfix user must reach the queue and data directories
# shellcheck source=scripts/lib/recording-peers.sh
. "$root/scripts/lib/recording-peers.sh"

start_opendkim() { # sets milter_spec, milter_port
    local port
    port=$(free_port)
    mkdir -p "$work/dkim"
    opendkim-genkey -D "$work/dkim" -d example.com -s test
    cat >"$work/dkim/opendkim.conf" <<CONF
Mode s
Domain example.com
Selector test
KeyFile $work/dkim/test.private
Socket inet:$port@127.0.0.1
Background no
Syslog no
PidFile $work/dkim/opendkim.pid
Canonicalization relaxed/simple
RequireSafeKeys false
CONF
    start_bg "$work/dkim/log" opendkim -f -x "$work/dkim/opendkim.conf"
    wait_listening 127.0.0.1 "$port"
    milter_spec="inet:127.0.0.1:$port" milter_port=$port
}

start_sendmail() { # MILTER_SPEC (libmilter form); sets smtp_port
    local dir="$work/sendmail" sink_port
    mkdir -p "$dir/sink" && chmod 777 "$dir/sink"
    sink_port=$(free_port)
    start_bg "$dir/sink.log" smtp-sink -u nobody -d "$dir/sink/%Y%m%d%H%M%S." "127.0.0.1:$sink_port" 100
    wait_listening 127.0.0.1 "$sink_port"
    smtp_port=$(free_port)
    bash "$root/interop/sendmail/sendmail-instance.sh" create "$dir" "$smtp_port" "$sink_port" "$1"
    start_bg "$dir/sendmail.log" bash "$root/interop/sendmail/sendmail-instance.sh" run "$dir"
    wait_listening 127.0.0.1 "$smtp_port"
    sleep 2 # the probe above opened a milter session too: let it end before capturing
}

sessions() { # SESSION...
    /usr/bin/python3 "$root/interop/smtp-sessions.py" 127.0.0.1 "$smtp_port" "$@"
    wait_queue_idle
}

build_cmilter

# 1. tcpdump on lo: Ethernet link type. Every verdict, modifications, RCPT reject, HELO reject, >64 KB body.
start_cmilter 127.0.0.1
start_postfix lo "$milter_spec"
start_capture "$out/postfix-cmilter-lo.pcap" tcpdump -i lo -U -w "$out/postfix-cmilter-lo.pcap" "tcp port $milter_port"
sessions verdicts rcpt helo-reject large
stop_capture

# 2. tcpdump -i any: Linux cooked v2, milter and SMTP traffic both (only the milter stream is milter).
start_capture "$out/postfix-cmilter-any-sll2.pcap" tcpdump -i any -y LINUX_SLL2 -U \
    -w "$out/postfix-cmilter-any-sll2.pcap" "tcp port $milter_port or tcp port $smtp_port"
sessions rcpt large
stop_capture

# 3. snap length 120: every packet longer than 120 bytes is cut.
start_capture "$out/postfix-cmilter-snaplen120.pcap" tcpdump -i lo -s 120 -U \
    -w "$out/postfix-cmilter-snaplen120.pcap" "tcp port $milter_port"
sessions verdicts large
stop_capture

# 4. IPv6: the milter on [::1].
start_cmilter ::1
start_postfix ipv6 "$milter_spec"
start_capture "$out/postfix-cmilter-ipv6.pcap" tcpdump -i lo -U -w "$out/postfix-cmilter-ipv6.pcap" \
    "ip6 and tcp port $milter_port"
sessions verdicts
stop_capture

# 5. dumpcap (pcapng): Postfix and OpenDKIM.
start_opendkim
start_postfix dkim "$milter_spec"
start_capture "$out/postfix-opendkim.pcapng" dumpcap -i lo -w "$out/postfix-opendkim.pcapng" \
    -f "tcp port $milter_port"
sessions dkim
stop_capture

# 6. Sendmail 8.17 (the second MTA profile) and cmilter: tcpdump on lo.
start_cmilter 127.0.0.1
sendmail_milter="inet:$milter_port@127.0.0.1"
start_sendmail "$sendmail_milter"
start_capture "$out/sendmail-cmilter-lo.pcap" tcpdump -i lo -U -w "$out/sendmail-cmilter-lo.pcap" "tcp port $milter_port"
/usr/bin/python3 "$root/interop/smtp-sessions.py" 127.0.0.1 "$smtp_port" verdicts rcpt
stop_capture

chmod 644 "$out"/*.pcap "$out"/*.pcapng
ls -l "$out"
