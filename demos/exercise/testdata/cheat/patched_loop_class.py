# Patches the event loop's class so that a timer fires at once, and
# prints as if the three had overlapped.
# exercise: overlap
# fails: problem
# says: BaseEventLoop.call_at
import asyncio
import asyncio.base_events

real_call_at = asyncio.base_events.BaseEventLoop.call_at


def call_at(self, when, callback, *args, context=None):
    return real_call_at(self, self.time(), callback, *args, context=context)

asyncio.base_events.BaseEventLoop.call_at = call_at


async def download(n):
    await asyncio.sleep(n)
    return n


async def main():
    for n in (1, 2, 4):
        await download(n)


asyncio.run(main())
