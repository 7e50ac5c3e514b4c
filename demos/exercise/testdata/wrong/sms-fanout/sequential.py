# At most one in flight: the requests take turns.
# fails: ServerLoad
# says: the requests took turns
import asyncio
import os

import aiohttp

URL = os.environ["SMS_URL"]


async def send(session, n):
    async with session.get(f"{URL}/1") as resp:
        return await resp.text()


async def main():
    async with aiohttp.ClientSession() as session:
        answers = [await send(session, n) for n in range(12)]
    print(f"sent {len(answers)}")


asyncio.run(main())
