# aiohttp against asyncdemo's SMS API (URL: sys.argv[1]), the messages sent
# one after another though none needs another's answer: missed concurrency.
#
# want: missed-concurrency 20
import asyncio
import sys

import aiohttp


async def send(session, x):
    async with session.get(f"{sys.argv[1]}/{x}") as r:
        return await r.text()


async def main():
    answers = []
    async with aiohttp.ClientSession() as session:
        for x in (1, 2, 4):
            answers.append(await send(session, x))
    print(answers)


asyncio.run(main())
