#!/usr/bin/env bash
# Records fixtures/pcap/postfix-load-cmilter.pcap: a tcpdump capture of the milter traffic of a load
# run of a real MTA, the real-traffic data set of scripts/load-vs-c-client.sh (CAPTURE=...).
# A private Postfix instance (interop/postfix/postfix-instance.sh) has smtpd_milters pointing at the
# libmilter cmilter in --plain mode (interop/cmilter: every event CONTINUE, end of message ACCEPT)
# and relays to smtp-sink; Postfix's own load generator, smtp-source, drives it with parallel SMTP
# sessions while `tcpdump -i lo` records the milter port. Each SMTP connection is one milter
# connection (one recorded session). The runs (see fixtures/pcap/README.md for the counts):
#   7 x smtp-source -d -s 8 -m 40 -l 4096      8 parallel connections sharing 40 messages (~5 each)
#   1 x smtp-source    -s 8 -m 40 -l 1024 -r 3  one message per connection, three recipients
#   1 x smtp-source -d -s 4 -m 20 -l 16000 -N   larger bodies, numbered recipients
# Needs root and the packages of .ci/install-peers (postfix, libmilter-dev, tcpdump). Re-runnable;
# overwrites the file. The timing of the parallel sessions (so which messages share a connection,
# and queue IDs) differs between recordings.
#
#   scripts/record-postfix-load-capture.sh [OUTPUT_FILE]   (default: fixtures/pcap/postfix-load-cmilter.pcap)
set -euo pipefail

[ "$(id -u)" = 0 ] || { echo "record-postfix-load-capture: needs root (Postfix, tcpdump)" >&2; exit 1; }
for tool in postfix smtp-sink smtp-source tcpdump cc; do
    command -v "$tool" >/dev/null || { echo "record-postfix-load-capture: $tool missing: run .ci/install-peers" >&2; exit 1; }
done
[ -f /usr/include/libmilter/mfapi.h ] || { echo "record-postfix-load-capture: libmilter-dev missing: run .ci/install-peers" >&2; exit 1; }
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/fixtures/pcap/postfix-load-cmilter.pcap}
mkdir -p "$(dirname "$out")"
out="$(cd "$(dirname "$out")" && pwd)/$(basename "$out")"
work=$(mktemp -d /tmp/record-load-capture.XXXXXX)
chmod 755 "$work" # the postfix user must reach the queue and data directories
# shellcheck source=scripts/lib/recording-peers.sh
. "$root/scripts/lib/recording-peers.sh"

load() { # SMTP-SOURCE OPTION...: one smtp-source run with the common envelope, host name and subject
    smtp-source -M client.load.test -f sender@example.com -t rcpt@example.org -S "load run" "$@" \
        "127.0.0.1:$smtp_port"
}

build_cmilter
start_cmilter 127.0.0.1 --plain
start_postfix load "$milter_spec"
start_capture "$out" tcpdump -i lo -U -w "$out" "tcp port $milter_port"
for _ in $(seq 7); do load -d -s 8 -m 40 -l 4096; done
load -s 8 -m 40 -l 1024 -r 3
load -d -s 4 -m 20 -l 16000 -N
stop_capture
wait_queue_idle
chmod 644 "$out"
grep -c ' status=sent ' "$pf_dir/maillog" | sed 's/^/messages relayed to smtp-sink: /'
ls -l "$out"
