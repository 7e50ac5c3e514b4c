# BenchmarkOverhead: N awaits (default 1,000,000) of asyncio.sleep(0) in one
# task, each a step of the loop; it prints how long they took by its own
# clock.
import asyncio
import sys
import time

N = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000


async def main():
    start = time.perf_counter()
    for _ in range(N):
        await asyncio.sleep(0)
    print(f"{N} awaits: {time.perf_counter() - start:.3f}s")


asyncio.run(main())
