# Port helpers for the measurement scripts (scripts/perf-reference-milter.sh,
# scripts/load-vs-c-client.sh, scripts/count-per-message.sh). Source it from bash.

# A TCP port on 127.0.0.1 that was free a moment ago.
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# wait_port PORT: returns once something accepts connections on 127.0.0.1:PORT, or fails after 10 s.
wait_port() {
    for _ in $(seq 200); do
        /usr/bin/python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1",int(sys.argv[1])),1)' "$1" \
            2>/dev/null && return 0
        sleep 0.05
    done
    echo "nothing listens on port $1" >&2
    return 1
}
