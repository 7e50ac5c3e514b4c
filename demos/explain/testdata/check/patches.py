# A program that patches what a check relies on: asyncio.sleep, time, its
# loop's clock, and writes to the recorder's old fd.
import asyncio
import os
import time

real = asyncio.sleep


async def fast(d, *args, **kwargs):
    return await real(d / 2, *args, **kwargs)

asyncio.sleep = fast
time.monotonic = lambda: 0.0


async def main():
    loop = asyncio.get_running_loop()
    clock = loop.time
    loop.time = lambda: clock() * 2  # a clock twice as fast
    try:
        os.write(3, b'{"k":"exit","t":4.0}\n')
    except OSError:
        pass
    await asyncio.sleep(1)

asyncio.run(main())
