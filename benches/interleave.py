#!/usr/bin/env python3
"""Time commands in interleaved rounds, for a machine whose speed drifts.

    benches/interleave.py ROUNDS 'NAME=command args' 'NAME=command args' ...

Each round runs every command once, in turn, so a slow minute of a shared host falls on all
of them alike (hyperfine runs one command's runs back to back, and a drift between them shows
up as a difference). The first three rounds warm up and are not counted. Prints, for each
command, the median, the lower quartile and the minimum in milliseconds, and the ratio of
each to the first command's. A command that fails stops the run (its time would mean nothing).
"""
import shlex
import statistics
import subprocess
import sys
import time

if len(sys.argv) < 3 or not sys.argv[1].isdigit() or int(sys.argv[1]) < 1 or any("=" not in a for a in sys.argv[2:]):
    sys.exit("usage: benches/interleave.py ROUNDS 'NAME=command args' ...")
rounds = int(sys.argv[1])
commands = [arg.split("=", 1) for arg in sys.argv[2:]]
times = [[] for _ in commands]
for i in range(rounds + 3):
    for j, (name, command) in enumerate(commands):
        start = time.perf_counter()
        try:
            done = subprocess.run(shlex.split(command), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
        except (OSError, ValueError, IndexError) as e:  # no such program, unbalanced quotes, empty
            sys.exit(f"{name}: cannot run `{command}`: {e}")
        if done.returncode != 0:
            sys.exit(f"{name}: `{command}` exited with {done.returncode}: {done.stderr.decode(errors='replace')[-500:]}")
        if i >= 3:
            times[j].append((time.perf_counter() - start) * 1e3)


def stats(ts):
    ts = sorted(ts)
    return statistics.median(ts), ts[len(ts) // 4], ts[0]


base = stats(times[0])
print(f"| command ({rounds} interleaved rounds) | median [ms] | p25 [ms] | min [ms] | ratio (median; p25; min) |")
print("|---|---:|---:|---:|---|")
for (name, _), ts in zip(commands, times):
    s = stats(ts)
    ratios = "; ".join(f"{a / b:.2f}" for a, b in zip(s, base))
    print(f"| {name} | {s[0]:.1f} | {s[1]:.1f} | {s[2]:.1f} | {ratios} |")
