import asyncio
import os

import redis.asyncio as redis


async def worker(rcon):
    print("Start worker")
    while True:
        task = await rcon.rpop("queue")  # awaited: the other workers go on meanwhile
        if not task:
            await asyncio.sleep(1)
            continue
        print(f"Wait {int(task)}")
        await asyncio.sleep(int(task))
        print(f"Done {int(task)}")


async def main():
    rcon = redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/3"))
    async with asyncio.TaskGroup() as tg:  # Ctrl+C cancels them all
        for _ in range(2):
            tg.create_task(worker(rcon))


asyncio.run(main())
