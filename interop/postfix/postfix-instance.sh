#!/usr/bin/env bash
# A private Postfix instance for interop tests and fixture recording. It never touches the system
# instance (/etc/postfix, /var/spool/postfix): everything lives under DIR. Needs root.
#
#   postfix-instance.sh create DIR SMTPD_ADDR RELAY_ADDR MILTERS [name=value ...]
#       SMTPD_ADDR  where smtpd listens, e.g. 127.0.0.1:10025
#       RELAY_ADDR  where all mail is relayed, e.g. 127.0.0.1:10026 (an smtp-sink)
#       MILTERS     the smtpd_milters value, e.g. "inet:127.0.0.1:10027" ("" for none)
#       name=value  extra main.cf settings (e.g. milter_default_action=accept)
#   postfix-instance.sh start DIR | stop DIR | flush DIR
#
# Layout: DIR/etc (main.cf, master.cf), DIR/queue, DIR/data, DIR/maillog (Postfix's own log).
set -euo pipefail

die() { echo "postfix-instance: $*" >&2; exit 1; }

write_master_cf() {
    local smtpd_addr=$1
    cat <<MASTER
# service type  private unpriv  chroot  wakeup  maxproc command
$smtpd_addr inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
MASTER
}

create() {
    [ $# -ge 4 ] || die "usage: create DIR SMTPD_ADDR RELAY_ADDR MILTERS [name=value ...]"
    local dir=$1 smtpd_addr=$2 relay_addr=$3 milters=$4
    shift 4
    mkdir -p "$dir/etc" "$dir/queue" "$dir/data"
    dir=$(cd "$dir" && pwd)
    chown postfix "$dir/data"
    write_master_cf "$smtpd_addr" > "$dir/etc/master.cf"
    local relay_host=${relay_addr%:*} relay_port=${relay_addr##*:}
    cat > "$dir/etc/main.cf" <<MAIN
compatibility_level = 3.6
queue_directory = $dir/queue
data_directory = $dir/data
maillog_file = $dir/maillog
maillog_file_prefixes = $dir
myhostname = mta.interop.test
mydomain = interop.test
myorigin = interop.test
mydestination =
local_transport = error:local delivery is disabled
alias_maps =
alias_database =
inet_interfaces = loopback-only
inet_protocols = all
mynetworks = 127.0.0.0/8 [::1]/128
smtpd_relay_restrictions = permit_mynetworks, reject
relayhost = [$relay_host]:$relay_port
smtp_dns_support_level = disabled
smtpd_banner = \$myhostname ESMTP interop
smtpd_milters = $milters
milter_protocol = 6
milter_default_action = tempfail
milter_connect_timeout = 30s
milter_command_timeout = 30s
milter_content_timeout = 60s
message_size_limit = 20480000
maximal_queue_lifetime = 1h
bounce_queue_lifetime = 1h
notify_classes =
biff = no
MAIN
    local setting
    for setting in "$@"; do
        postconf -c "$dir/etc" -e "$setting"
    done
}

case ${1:-} in
create) shift; create "$@" ;;
start) postfix -c "$2/etc" start ;;
stop) postfix -c "$2/etc" stop ;;
flush) postqueue -c "$2/etc" -f ;;
*) die "usage: $0 create|start|stop|flush DIR ..." ;;
esac
