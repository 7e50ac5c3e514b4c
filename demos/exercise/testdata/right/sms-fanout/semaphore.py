# One Semaphore, shared by every request: at most 4 in flight.
import asyncio
import os

import aiohttp

URL = os.environ["SMS_URL"]


async def send(session, sem, n):
    async with sem:
        async with session.get(f"{URL}/1") as resp:
            return await resp.text()


async def main():
    sem = asyncio.Semaphore(4)
    async with aiohttp.ClientSession() as session:
        answers = await asyncio.gather(*(send(session, sem, n) for n in range(12)))
    print(f"sent {len(answers)}")


asyncio.run(main())
