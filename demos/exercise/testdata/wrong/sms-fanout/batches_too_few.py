# Keeps to 4 at a time by sending only the first 8 messages.
# fails: ServerLoad
# fails: Prints
# says: The SMS API answered 8 requests, not 12
import asyncio
import os

import aiohttp

URL = os.environ["SMS_URL"]


async def send(session, n):
    async with session.get(f"{URL}/1") as resp:
        return await resp.text()


async def main():
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=4)) as session:
        answers = await asyncio.gather(*(send(session, n) for n in range(8)))
    print(f"sent {len(answers)}")


asyncio.run(main())
