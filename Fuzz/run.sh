#!/usr/bin/env bash
# Builds one libFuzzer target of this package and runs it.
#   Fuzz/run.sh TARGET SECONDS [extra libFuzzer flags...]
# Seeds come from fixtures/fuzz/<name>/ where <name> is TARGET without "Fuzzer", lowercased
# (MailMessageFuzzer -> mailmessage). New inputs go to Fuzz/.build/corpus-<name>/; crashes are
# written next to the seeds as crash-* (ignored by git until turned into regression tests).
set -euo pipefail
if [ $# -lt 2 ]; then
    echo "usage: $0 TARGET SECONDS [libFuzzer flags...]" >&2
    exit 2
fi
target=$1
seconds=$2
shift 2
cd "$(dirname "$0")"
export PATH=/opt/swift/usr/bin:$PATH
swift build -c release --product "$target" -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld
name=$(echo "${target%Fuzzer}" | tr '[:upper:]' '[:lower:]')
seeds=../fixtures/fuzz/$name
work=.build/corpus-$name
mkdir -p "$work" "$seeds"
exec ".build/release/$target" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$seeds/crash-" "$@" "$work" "$seeds"
