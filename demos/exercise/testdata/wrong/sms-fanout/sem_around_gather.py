# A Semaphore of 4, but held around the whole gather: the gather's twelve
# requests all run inside its one permit.
# fails: ServerLoad
# says: at most 4 may be in flight
# says: acquire it inside send, around each request
import asyncio
import os

import aiohttp

URL = os.environ["SMS_URL"]


async def send(session, n):
    async with session.get(f"{URL}/1") as resp:
        return await resp.text()


async def main():
    sem = asyncio.Semaphore(4)
    async with aiohttp.ClientSession() as session:
        async with sem:
            answers = await asyncio.gather(*(send(session, n) for n in range(12)))
    print(f"sent {len(answers)}")


asyncio.run(main())
