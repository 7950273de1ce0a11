#!/usr/bin/env python3
"""Whole-process times of several commands, run in turns (A, B, C, A, B, C …)
so that drift on a shared machine hits each command alike: hyperfine runs
each command's runs in one block. Each command is spawned directly
(posix_spawn, stdout to /dev/null) and timed from spawn to reap.

    benches/interleave.py ROUNDS 'CMD ARG…' 'CMD ARG…' …

A command's words are split at the unit separator (\\x1f) if it holds one,
else at spaces. Prints the median and quartiles of each, in milliseconds.
"""
import os
import sys
import time

WARMUP = 20


def main() -> None:
    rounds = int(sys.argv[1])
    cmds = [a.split("\x1f") if "\x1f" in a else a.split() for a in sys.argv[2:]]
    devnull = os.open(os.devnull, os.O_WRONLY)
    times = [[] for _ in cmds]
    for r in range(rounds + WARMUP):
        for i, argv in enumerate(cmds):
            t = time.perf_counter_ns()
            pid = os.posix_spawnp(
                argv[0], argv, os.environ,
                file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 1)],
            )
            os.waitpid(pid, 0)
            if r >= WARMUP:
                times[i].append(time.perf_counter_ns() - t)
    for argv, ts in zip(cmds, times):
        ts.sort()
        q = lambda f: ts[int(len(ts) * f)] / 1e6
        name = " ".join(argv) if len(argv) <= 4 else " ".join(argv[:2]) + f" … ({len(argv) - 1} args)"
        print(f"| {name} | {q(0.5):.3f} | {q(0.25):.3f} | {q(0.75):.3f} |")


if __name__ == "__main__":
    main()
