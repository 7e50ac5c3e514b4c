"""Drain a Redis work queue with redis.asyncio worker coroutines, and time it.

    python3 bench_queue.py URL QUEUE PROCESSING MODE WORKERS

QUEUE is already full (BenchmarkQueueDrain pushes the messages). WORKERS
coroutines on one loop each take messages until the queue is empty:

  ack:  LMOVE QUEUE -> PROCESSING, then LREM PROCESSING (the lessons' safe way)
  rpop: RPOP QUEUE (the tutorial's way: a crash loses the message)

Each worker has a connection of its own, as the workers twin's do. No work is
done per message. Prints one JSON line: the time from the start of the drain
to its end, how many messages were taken and how many of them were distinct.
"""

import asyncio
import json
import sys
import time

import redis.asyncio


async def worker(url, queue, processing, mode, taken):
    pool = redis.asyncio.ConnectionPool.from_url(url, decode_responses=True)
    rdb = redis.asyncio.Redis(connection_pool=pool, single_connection_client=True)
    try:
        while True:
            if mode == "ack":
                msg = await rdb.lmove(queue, processing, "RIGHT", "LEFT")
            else:
                msg = await rdb.rpop(queue)
            if msg is None:  # the queue is empty: done
                return
            taken.append(msg)
            if mode == "ack":
                await rdb.lrem(processing, 1, msg)
    finally:
        await rdb.close(close_connection_pool=True)


async def drain(url, queue, processing, mode, workers):
    taken = []
    start = time.perf_counter()
    async with asyncio.TaskGroup() as tg:
        for _ in range(workers):
            tg.create_task(worker(url, queue, processing, mode, taken))
    seconds = time.perf_counter() - start
    return {"mode": mode, "workers": workers, "taken": len(taken), "distinct": len(set(taken)),
            "seconds": seconds, "msgs_per_s": len(taken) / seconds}


def main():
    url, queue, processing, mode, workers = sys.argv[1:]
    if mode not in ("ack", "rpop"):
        sys.exit(f"mode must be ack or rpop, not {mode!r}")
    print(json.dumps(asyncio.run(drain(url, queue, processing, mode, int(workers)))))


if __name__ == "__main__":
    main()
