# BenchmarkOverhead: a gather of N tasks (default 100,000), each sleeping
# 10 ms; it prints how long that took by its own clock.
import asyncio
import sys
import time

N = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000


async def main():
    start = time.perf_counter()
    await asyncio.gather(*(asyncio.sleep(0.01) for _ in range(N)))
    print(f"{N} tasks: {time.perf_counter() - start:.3f}s")


asyncio.run(main())
