import asyncio
import os
import threading

import aiohttp
import redis

URL = os.environ.get("SMS_URL", "http://127.0.0.1:5000")  # asyncdemo sms-server


async def fetch(session, path):
    async with session.get(URL + path) as resp:
        print(resp.status)
        resp.raise_for_status()
        return await resp.text()


async def do_some_work(session, x):
    print(f"Waiting: {x}")
    try:
        print(await fetch(session, f"/{x}"))
    except (aiohttp.ClientError, asyncio.TimeoutError):
        print(await fetch(session, "/error"))  # the alarm (asyncdemo's consumer tries again first)
    else:
        print(f"Done {x}")


async def new_session():
    return aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))  # one for all calls, with a timeout


loop = asyncio.new_event_loop()
threading.Thread(target=loop.run_forever, daemon=True).start()
session = asyncio.run_coroutine_threadsafe(new_session(), loop).result()
rcon = redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/3"))
while True:  # Ctrl+C stops it
    _, task = rcon.brpop("queue")
    asyncio.run_coroutine_threadsafe(do_some_work(session, int(task)), loop)
