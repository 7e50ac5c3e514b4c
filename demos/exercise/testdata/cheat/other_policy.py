# Installs asyncio's default policy again, so that asyncio.run makes a
# loop asyncdemo did not.
# exercise: overlap
# fails: problem
# says: changed `asyncio.events._event_loop_policy`
import asyncio


async def download(n):
    await asyncio.sleep(n)
    return n


async def main():
    await asyncio.gather(download(1), download(2), download(4))

asyncio.set_event_loop_policy(asyncio.DefaultEventLoopPolicy())
asyncio.run(main())
