"""Exercise 20: send 12 messages through the SMS API, at most 4 at a time: a model solution."""
import asyncio
import os

import aiohttp

URL = os.environ["SMS_URL"]


async def send(session, n):
    async with session.get(f"{URL}/1") as resp:  # message n: the API answers "1 It works"
        return await resp.text()


async def main():
    # At most 4 connections: a fifth request waits in the connector's pool
    # until one of the four is free again.
    connector = aiohttp.TCPConnector(limit=4)
    async with aiohttp.ClientSession(connector=connector) as session:
        answers = await asyncio.gather(*(send(session, n) for n in range(12)))
    print(f"sent {len(answers)}")


asyncio.run(main())
