#!/usr/bin/env bash
# A private Sendmail MTA for interop tests and fixture recording, using the binary that
# .ci/install-sendmail-private unpacks into /opt/sendmail (sendmail-bin conflicts with postfix, so it
# is never the system MTA). Everything lives under DIR. Needs root, m4 and unshare.
#
#   sendmail-instance.sh create DIR SMTPD_PORT RELAY_PORT [--tls CERT KEY] [MILTER_SPEC ...]
#       SMTPD_PORT   the daemon's port on 127.0.0.1
#       RELAY_PORT   all mail is relayed to [127.0.0.1]:RELAY_PORT (an smtp-sink)
#       --tls        offer STARTTLS with this certificate and key (PEM; the key readable by root only)
#       MILTER_SPEC  libmilter socket specs, e.g. inet:4567@127.0.0.1 (INPUT_MAIL_FILTER m0, m1, ...)
#   sendmail-instance.sh run DIR       runs the daemon in the foreground (-bD); stop it with SIGTERM
#
# Sendmail sleeps a minute at start when the host name has no dot and does not resolve, so `run` gives
# it its own UTS namespace named mta.interop.test.
set -euo pipefail

sendmail=/opt/sendmail/usr/libexec/sendmail/sendmail
cf=/opt/sendmail/usr/share/sendmail/cf

die() { echo "sendmail-instance: $*" >&2; exit 1; }

create() {
    [ $# -ge 3 ] || die "usage: create DIR SMTPD_PORT RELAY_PORT [--tls CERT KEY] [MILTER_SPEC ...]"
    local dir=$1 port=$2 relay=$3 i=0 spec cert="" key=""
    shift 3
    if [ "${1:-}" = --tls ]; then
        [ $# -ge 3 ] || die "--tls needs CERT and KEY"
        cert=$2 key=$3
        shift 3
    fi
    mkdir -p "$dir/mqueue"
    chmod 700 "$dir/mqueue"
    dir=$(cd "$dir" && pwd)
    {
        echo "divert(-1)"
        echo "divert(0)dnl"
        echo "include(\`$cf/m4/cf.m4')dnl"
        echo "OSTYPE(\`linux')dnl"
        echo "define(\`confDOMAIN_NAME', \`mta.interop.test')dnl"
        echo "define(\`confDONT_PROBE_INTERFACES', \`True')dnl"
        echo "define(\`confDONT_BLAME_SENDMAIL', \`GroupWritableDirPathSafe,TrustStickyBit,NonRootSafeAddr')dnl"
        echo "define(\`QUEUE_DIR', \`$dir/mqueue')dnl"
        echo "define(\`confPID_FILE', \`$dir/sendmail.pid')dnl"
        echo "define(\`STATUS_FILE', \`$dir/statistics')dnl"
        echo "define(\`ALIAS_FILE', \`')dnl"
        echo "define(\`confHOST_STATUS_DIRECTORY', \`')dnl"
        echo "define(\`confTO_IDENT', \`0')dnl"
        # Sendmail stops accepting connections above RefuseLA (12 x CPUs) and only queues mail above
        # QueueLA (8 x CPUs); a test machine busy with parallel tests passes both.
        echo "define(\`confREFUSE_LA', \`1000')dnl"
        echo "define(\`confQUEUE_LA', \`1000')dnl"
        echo "define(\`SMART_HOST', \`[127.0.0.1]')dnl"
        echo "define(\`RELAY_MAILER_ARGS', \`TCP \$h $relay')dnl"
        echo "define(\`ESMTP_MAILER_ARGS', \`TCP \$h $relay')dnl"
        echo "DAEMON_OPTIONS(\`Port=$port, Addr=127.0.0.1, Name=MTA')dnl"
        for spec in "$@"; do
            echo "INPUT_MAIL_FILTER(\`m$i', \`S=$spec, F=T, T=C:30s;S:30s;R:30s;E:5m')dnl"
            i=$((i + 1))
        done
        if [ -n "$cert" ]; then
            echo "define(\`confSERVER_CERT', \`$cert')dnl"
            echo "define(\`confSERVER_KEY', \`$key')dnl"
            echo "define(\`confCACERT', \`$cert')dnl"
            echo "define(\`confCACERT_PATH', \`$(dirname "$cert")')dnl"
        fi
        echo "FEATURE(\`no_default_msa')dnl" # no second daemon on port 587: instances must not collide
        echo "FEATURE(\`nocanonify')dnl"
        echo "FEATURE(\`accept_unresolvable_domains')dnl"
        echo "FEATURE(\`promiscuous_relay')dnl" # a loopback-only test instance relaying to a sink
        echo "MAILER(\`smtp')dnl"
    } >"$dir/sendmail.mc"
    m4 "$dir/sendmail.mc" >"$dir/sendmail.cf" 2>"$dir/m4.log"
}

run() {
    [ -f "$1/sendmail.cf" ] || die "no $1/sendmail.cf: run create first"
    exec unshare --uts /bin/sh -c 'hostname mta.interop.test && exec "$0" -C "$1" -bD' "$sendmail" "$1/sendmail.cf"
}

case ${1:-} in
create) shift; create "$@" ;;
run) run "$2" ;;
*) die "usage: $0 create|run DIR ..." ;;
esac
