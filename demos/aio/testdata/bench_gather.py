"""CPython side of BenchmarkGather (demos/aio/bench_test.go).

Creates N tasks, each awaiting asyncio.sleep(DELAY), and runs
asyncio.gather of them to completion. Prints one JSON line: the time from
creating the first task to the end of the gather, and the peak resident set
size grown meanwhile, per task: VmHWM from /proc/self/status on Linux,
getrusage's ru_maxrss elsewhere. (Not ru_maxrss on Linux: after an exec
from a big parent, such as the Go benchmark, it starts at the parent's peak
and hides our growth.)

    python3 bench_gather.py N [DELAY_SECONDS]    (DELAY defaults to 0.01)
"""
import asyncio
import json
import resource
import sys
import time


async def sleeper(delay):
    await asyncio.sleep(delay)


def peak_rss_bytes():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024  # kB
    except OSError:
        pass
    # ru_maxrss is in kilobytes on Linux, bytes on macOS.
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss if sys.platform == "darwin" else rss * 1024


def main():
    n = int(sys.argv[1])
    delay = float(sys.argv[2]) if len(sys.argv) > 2 else 0.01
    loop = asyncio.new_event_loop()
    try:
        rss_before = peak_rss_bytes()
        # As the Go side: create the tasks, then run the gather of them.
        start = time.perf_counter()
        tasks = [loop.create_task(sleeper(delay)) for _ in range(n)]
        loop.run_until_complete(asyncio.gather(*tasks))
        elapsed = time.perf_counter() - start
        rss_after = peak_rss_bytes()
    finally:
        loop.close()
    print(json.dumps({
        "n": n,
        "seconds": elapsed,
        "peak_rss_delta_bytes": rss_after - rss_before,
        "rss_bytes_per_task": (rss_after - rss_before) / n,
        "python": sys.version.split()[0],
    }))


if __name__ == "__main__":
    main()
