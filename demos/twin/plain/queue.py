import asyncio
import os
import threading
import time

import redis


async def do_some_work(x):
    print(f"Waiting: {x}")
    await asyncio.sleep(x)
    print(f"Done {x}")


loop = asyncio.new_event_loop()
threading.Thread(target=loop.run_forever, daemon=True).start()  # the loop thread
rcon = redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/3"))
while True:  # Ctrl+C stops it
    task = rcon.rpop("queue")  # gone from Redis now: asyncdemo's consumer moves it (LMOVE) and acknowledges it when done
    if not task:
        time.sleep(1)
        continue
    asyncio.run_coroutine_threadsafe(do_some_work(int(task)), loop)
