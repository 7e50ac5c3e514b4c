"""CPython side of BenchmarkSleep0 (demos/aio/bench_test.go).

One task awaits asyncio.sleep(0) N times: each await is one hand-off from
the coroutine to the loop and back. Prints one JSON line of figures.

    python3 bench_sleep0.py [N]    (N defaults to 1000000)
"""
import asyncio
import json
import sys
import time


async def sleeper(n):
    sleep = asyncio.sleep
    for _ in range(n):
        await sleep(0)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    loop = asyncio.new_event_loop()
    try:
        # As the Go side: the clock starts before the task is created and
        # stops when run_until_complete returns.
        start = time.perf_counter()
        loop.run_until_complete(loop.create_task(sleeper(n)))
        elapsed = time.perf_counter() - start
    finally:
        loop.close()
    print(json.dumps({
        "n": n,
        "seconds": elapsed,
        "ns_per_await": elapsed * 1e9 / n,
        "python": sys.version.split()[0],
    }))


if __name__ == "__main__":
    main()
