"""Summarise `go test -bench` output: the median and range of every figure.

Run the benchmarks with -count 3 (or more) and pipe the output through this:

    go test -run '^$' -bench . -benchtime 1x -count 3 ./demos/aio/ ./cmd/asyncdemo/ \
        | tee bench.txt | python3 demos/aio/testdata/bench_summary.py

It prints one Markdown table row per benchmark and figure:
| benchmark | figure | median | min–max | runs |
"""
import re
import statistics
import sys

LINE = re.compile(r"^(Benchmark\S+?)(?:-\d+)?\s+\d+\s+(.*)$")


def fmt(x):
    if x == 0:
        return "0"
    if abs(x) >= 100:
        return "{:.0f}".format(x)
    if abs(x) >= 10:
        return "{:.1f}".format(x)
    if abs(x) >= 1:
        return "{:.2f}".format(x)
    return "{:.3g}".format(x)


def main():
    figures = {}  # (benchmark, unit) -> [values], in first-seen order
    for line in (sys.stdin if len(sys.argv) < 2 else open(sys.argv[1])):
        m = LINE.match(line.strip())
        if not m:
            continue
        name, rest = m.groups()
        fields = rest.split()
        for value, unit in zip(fields[0::2], fields[1::2]):
            try:
                figures.setdefault((name, unit), []).append(float(value))
            except ValueError:
                pass
    print("| benchmark | figure | median | min–max | runs |")
    print("|---|---|---:|---:|---:|")
    for (name, unit), xs in figures.items():
        print("| {} | {} | {} | {}–{} | {} |".format(
            name, unit, fmt(statistics.median(xs)), fmt(min(xs)), fmt(max(xs)), len(xs)))


if __name__ == "__main__":
    main()
