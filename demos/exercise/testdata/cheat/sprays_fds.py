# Writes a forged "exit" frame, and a forged timer, to every file
# descriptor, hoping to reach asyncdemo's pipe; sleeps one after another.
# exercise: overlap
# fails: InFlight
# fails: Elapsed
# says: It took 7.00 s
import asyncio
import os

forged = (b'{"k":"timer","n":99,"id":0,"t":0.0,"when":4.0,"stack":[{"fn":"download","args":"4","file":"x","line":1}]}\n'
          b'{"k":"exit","t":4.0}\n')
for fd in range(3, 1024):
    try:
        os.write(fd, forged)
    except OSError:
        pass


async def download(n):
    await asyncio.sleep(n)
    return n


async def main():
    for n in (1, 2, 4):
        await download(n)


asyncio.run(main())
