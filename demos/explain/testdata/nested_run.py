# asyncio.run inside a coroutine: the loop is already running, and Python
# refuses with a RuntimeError (uncaught here: exit 1). The fix is to await
# the coroutine.
#
# want: nested-run 16
# exit: 1
import asyncio


async def fetch(x):
    await asyncio.sleep(x)
    return x


async def main():
    print(asyncio.run(fetch(0.1)))


asyncio.run(main())
