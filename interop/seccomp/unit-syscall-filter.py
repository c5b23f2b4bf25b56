#!/usr/bin/python3
"""Runs a command under the system call filter a systemd unit file declares, as systemd would apply it.

    unit-syscall-filter.py UNIT-FILE COMMAND [ARGUMENT...]

Reads the unit's SystemCallFilter= lines (in order) and SystemCallErrorNumber=, expands the @groups with
`systemd-analyze syscall-filter`, loads the filter with libseccomp (Debian python3-seccomp), and execs COMMAND.
systemd's rules, as systemd.exec(5) gives them: when the first SystemCallFilter= is a list to allow, every other
call is denied; a later list starting with ~ takes its calls out of the allowed ones. The @default group is always
allowed. A denied call kills the process (SIGSYS), or fails with SystemCallErrorNumber= when the unit sets one.
This is how a test starts the daemon under the filter of contrib/systemd's units without systemd as PID 1.
"""
import errno
import os
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
    if len(sys.argv) < 3:
        sys.exit("usage: unit-syscall-filter.py UNIT-FILE COMMAND [ARGUMENT...]")
    allowed, denied, allow_list, error_number = set(), set(), None, None
    with open(sys.argv[1], encoding="utf-8") as unit:
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
                if deny:
                    allowed -= calls
                    denied |= calls
                else:
                    allowed |= calls
    if allow_list is None:
        sys.exit(f"{sys.argv[1]}: no SystemCallFilter=")
    action = seccomp.ERRNO(error_number) if error_number is not None else seccomp.KILL_PROCESS
    if allow_list:
        allowed |= expand("@default", set())
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
    os.execvp(sys.argv[2], sys.argv[2:])


main()
