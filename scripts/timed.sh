# Sourced by the benchmark scripts.
# timed COMMAND...: the wall-clock and CPU (user + system) milliseconds of one run, "WALL CPU" (bash's `time`,
# millisecond resolution), output discarded.
timed() {
    local TIMEFORMAT="%3R %3U %3S" report
    report=$({ time "$@" >/dev/null 2>&1; } 2>&1 | tail -1)
    awk '{ printf "%d %d", $1 * 1000, ($2 + $3) * 1000 }' <<<"$report"
}
