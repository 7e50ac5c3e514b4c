# aiohttp against asyncdemo's SMS API (URL: sys.argv[1]; GET /x takes x
# seconds, scaled): one ClientSession, three messages sent at once with
# gather. Nothing to explain.
#
# want: clean
import asyncio
import sys

import aiohttp


async def send(session, x):
    async with session.get(f"{sys.argv[1]}/{x}") as r:
        return await r.text()


async def main():
    async with aiohttp.ClientSession() as session:
        print(await asyncio.gather(send(session, 1), send(session, 2), send(session, 4)))


asyncio.run(main())
