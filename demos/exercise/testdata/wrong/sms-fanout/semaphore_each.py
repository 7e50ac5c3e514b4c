# A Semaphore of 4 in each request: each has its own, so none waits.
# fails: ServerLoad
# says: at most 4 may be in flight
import asyncio
import os

import aiohttp

URL = os.environ["SMS_URL"]


async def send(session, n):
    async with asyncio.Semaphore(4):
        async with session.get(f"{URL}/1") as resp:
            return await resp.text()


async def main():
    async with aiohttp.ClientSession() as session:
        answers = await asyncio.gather(*(send(session, n) for n in range(12)))
    print(f"sent {len(answers)}")


asyncio.run(main())
