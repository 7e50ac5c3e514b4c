# BenchmarkOutput: a program that prints MB megabytes (default 20) in lines
# of 100 characters, as fast as print goes; it prints how long that took by
# its own clock, on stderr.
import sys
import time

MB = float(sys.argv[1]) if len(sys.argv) > 1 else 20
line = "x" * 99
start = time.perf_counter()
for i in range(int(MB * 1_000_000 / 100)):
    print(line)
print(f"{MB:g} MB: {time.perf_counter() - start:.3f}s", file=sys.stderr)
