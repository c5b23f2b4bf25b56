#!/usr/bin/python3
"""Runs a command under the system call filter a systemd unit file declares, as systemd would apply it.

    unit-syscall-filter.py [--soft-nofile N] UNIT-FILE COMMAND [ARGUMENT...]

Reads the unit's SystemCallFilter= lines (in order) and SystemCallErrorNumber=, expands the @groups with
`systemd-analyze syscall-filter`, loads the filter with libseccomp (Debian python3-seccomp), and execs COMMAND.
systemd's rules, as systemd.exec(5) gives them: when the first SystemCallFilter= is a list to allow, every other
call is denied; a later list starting with ~ takes its calls out of the allowed ones. The @default group is always
allowed. A denied call kills the process (SIGSYS), or fails with SystemCallErrorNumber= when the unit sets one.
This is how a test starts the daemon under the filter of contrib/systemd's units without systemd as PID 1.
--soft-nofile N sets the soft descriptor limit first, below the hard one as systemd's default LimitNOFILE=1024:524288
leaves it, so that a program raising it (setrlimit) does so under the filter.
"""
import errno
import os
import resource
import subprocess
import sys

import seccomp


def expand(group, seen):
    """The system calls of @group, nested groups included."""
    if group in seen:
        return set()
    seen.add(group)
    text = subprocess.run(["systemd-analyze", "syscall-filter", group], check=True, capture_output=True,
                          text=True).stdout
    calls = set()
    for line in text.splitlines()[1:]:
        word = line.strip()
        if not word or word.startswith("#"):
            continue
        calls |= expand(word, seen) if word.startswith("@") else {word}
    return calls


def names(words):
    calls = set()
    for word in words:
        calls |= expand(word, set()) if word.startswith("@") else {word}
    return calls


def main():
    arguments = sys.argv[1:]
    if arguments[:1] == ["--soft-nofile"]:
        _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(int(arguments[1]), hard), hard))
        arguments = arguments[2:]
    if len(arguments) < 2:
        sys.exit("usage: unit-syscall-filter.py [--soft-nofile N] UNIT-FILE COMMAND [ARGUMENT...]")
    allowed, denied, allow_list, error_number = set(), set(), None, None
    with open(arguments[0], encoding="utf-8") as unit:
        for line in unit:
            key, _, value = line.strip().partition("=")
            if key == "SystemCallErrorNumber":
                error_number = getattr(errno, value.strip())
            elif key == "SystemCallFilter":
                value = value.strip()
                deny = value.startswith("~")
                calls = names(value.lstrip("~").split())
                if allow_list is None:
                    allow_list = not deny
                    if allow_list:
                        # systemd allows @default with the first allow list; a later ~ list can take calls out of it.
                        allowed |= expand("@default", set())
                if deny:
                    allowed -= calls
                    denied |= calls
                else:
                    allowed |= calls
    if allow_list is None:
        sys.exit(f"{arguments[0]}: no SystemCallFilter=")
    action = seccomp.ERRNO(error_number) if error_number is not None else seccomp.KILL_PROCESS
    if allow_list:
        rules, default, rule_action = allowed, action, seccomp.ALLOW
    else:
        rules, default, rule_action = denied, seccomp.ALLOW, action
    syscall_filter = seccomp.SyscallFilter(default)
    for call in sorted(rules):
        try:
            syscall_filter.add_rule(rule_action, call)
        except (RuntimeError, ValueError, OSError):
            pass  # a call this architecture or libseccomp does not know
    syscall_filter.load()
    os.execvp(arguments[1], arguments[1:])


main()
