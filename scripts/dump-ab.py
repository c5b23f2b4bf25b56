#!/usr/bin/env python3
"""A/B timing of `milter-replay --pcap FILE --dump` builds on a noisy shared machine.

    scripts/dump-ab.py [--runs N] [--capture FILE] BUILD [BUILD ...]

Each BUILD is the path of a milter-replay binary (copy each build aside first). Every round runs
`tcpdump -r FILE -w /dev/null` once, then each build once, in turn, so that a slow moment of the
machine hits every command alike; the figures are the minimum, first quartile and median of the
wall-clock and CPU (user + system) milliseconds of all rounds, and each build's median wall-clock
ratio to tcpdump's. Output goes to /dev/null. A single run, or runs of one build in a row, are
not comparable here: other jobs share the two cores and move the figures by 10-30 %.
"""
import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time


def timed(command):
    """Runs command with output discarded; returns (wall ms, cpu ms)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = (time.perf_counter() - start) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000
    return wall, cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("builds", nargs="+", help="milter-replay binaries to compare")
    parser.add_argument("--capture", required=True, help="the capture to dump (e.g. from pcap-generate)")
    parser.add_argument("--runs", type=int, default=25, help="rounds (default 25)")
    arguments = parser.parse_args()
    if shutil.which("tcpdump") is None:
        sys.exit("dump-ab: tcpdump is not installed (apt-get install tcpdump)")
    for path in [arguments.capture, *arguments.builds]:
        if not os.path.isfile(path):
            sys.exit(f"dump-ab: no such file: {path}")

    commands = {"tcpdump -w /dev/null": ["tcpdump", "-r", arguments.capture, "-w", "/dev/null"]}
    for build in arguments.builds:
        commands[build] = [build, "--pcap", arguments.capture, "--dump"]
    walls = {name: [] for name in commands}
    cpus = {name: [] for name in commands}
    for _ in range(arguments.runs):
        for name, command in commands.items():
            wall, cpu = timed(command)
            walls[name].append(wall)
            cpus[name].append(cpu)

    reference = statistics.median(walls["tcpdump -w /dev/null"])
    width = max(len(name) for name in commands)
    for name in commands:
        wall, cpu = sorted(walls[name]), sorted(cpus[name])
        median = statistics.median(wall)
        print(
            f"{name:{width}}  wall min {wall[0]:6.1f} p25 {wall[len(wall) // 4]:6.1f} med {median:6.1f} ms"
            f"  cpu min {cpu[0]:6.1f} med {statistics.median(cpu):6.1f} ms  median / tcpdump {median / reference:4.2f}"
        )


if __name__ == "__main__":
    main()
