"""Drain a Redis work queue with redis.asyncio worker coroutines, and time it.

    python3 bench_queue.py URL QUEUE PROCESSING MODE WORKERS [BATCH]

QUEUE is already full (BenchmarkQueueDrain pushes the messages). WORKERS
coroutines on one loop each take messages until the queue is empty:

  ack:  LMOVE QUEUE -> PROCESSING, then LREM PROCESSING (the lessons' safe way)
  ackid: the same, the LREM made by Queue.Ack's script so that it acts once
        for an id, as the lessons' consumers acknowledge
  rpop: RPOP QUEUE (the tutorial's way: a crash loses the message)
  acktake: one script a round trip acknowledges the batch just done and
        takes up to BATCH more into PROCESSING (Queue.AckTake, its ack acting
        once for an id), so a worker does not wait for one reply before
        sending the next request

Each worker has a connection of its own, as the workers twin's do. No work is
done per message. Prints one JSON line: the time from the start of the drain
to its end, how many messages were taken and how many of them were distinct.
"""

import asyncio
import json
import secrets
import sys
import time

import redis.asyncio

# ACK is Queue.Ack's script (demos/redisqueue/queue.go).
ACK = """
if redis.call("SET", KEYS[2], "1", "NX", "EX", ARGV[2]) then
	redis.call("LREM", KEYS[1], 1, ARGV[1])
end
return 1"""

# ACK_TAKE is Queue.AckTake's script (demos/redisqueue/queue.go).
ACK_TAKE = """
if #ARGV > 3 and (ARGV[3] == "0" or redis.call("SET", KEYS[2], "1", "NX", "EX", ARGV[2])) then
	for i = 4, #ARGV do
		redis.call("LREM", KEYS[1], 1, ARGV[i])
	end
end
local taken = {}
for i = 1, tonumber(ARGV[1]) do
	local v = redis.call("LMOVE", KEYS[3], KEYS[1], "RIGHT", "LEFT")
	if not v then
		break
	end
	taken[i] = v
end
return taken"""
MARKER_TTL = 24 * 3600


async def worker(url, queue, processing, mode, batch, taken):
    pool = redis.asyncio.ConnectionPool.from_url(url, decode_responses=True)
    rdb = redis.asyncio.Redis(connection_pool=pool, single_connection_client=True)
    try:
        if mode == "acktake":
            ack_take = rdb.register_script(ACK_TAKE)
            done = []
            while True:
                ack_id = secrets.token_hex(16)
                msgs = await ack_take(keys=[processing, f"{queue}:done:{ack_id}", queue],
                                      args=[batch, MARKER_TTL, "1", *done])
                if not msgs:
                    return
                taken.extend(msgs)
                done = msgs
        ack = rdb.register_script(ACK)
        while True:
            if mode in ("ack", "ackid"):
                msg = await rdb.lmove(queue, processing, "RIGHT", "LEFT")
            else:
                msg = await rdb.rpop(queue)
            if msg is None:  # the queue is empty: done
                return
            taken.append(msg)
            if mode == "ack":
                await rdb.lrem(processing, 1, msg)
            elif mode == "ackid":
                ack_id = secrets.token_hex(16)
                await ack(keys=[processing, f"{queue}:done:{ack_id}"], args=[msg, MARKER_TTL])
    finally:
        await rdb.close(close_connection_pool=True)


async def drain(url, queue, processing, mode, workers, batch):
    taken = []
    start = time.perf_counter()
    async with asyncio.TaskGroup() as tg:
        for _ in range(workers):
            tg.create_task(worker(url, queue, processing, mode, batch, taken))
    seconds = time.perf_counter() - start
    return {"mode": mode, "workers": workers, "taken": len(taken), "distinct": len(set(taken)),
            "seconds": seconds, "msgs_per_s": len(taken) / seconds}


def main():
    url, queue, processing, mode, workers = sys.argv[1:6]
    batch = int(sys.argv[6]) if len(sys.argv) > 6 else 1
    if mode not in ("ack", "ackid", "rpop", "acktake"):
        sys.exit(f"mode must be ack, ackid, rpop or acktake, not {mode!r}")
    print(json.dumps(asyncio.run(drain(url, queue, processing, mode, int(workers), batch))))


if __name__ == "__main__":
    main()
