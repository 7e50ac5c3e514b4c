"""Exercise 1: three downloads at once: a model solution."""
import asyncio


async def download(n):
    print(f"downloading {n}")
    await asyncio.sleep(n)  # the network, pretended
    print(f"downloaded {n}")
    return n


async def main():
    # gather wraps each coroutine in a task: the three start now, and main
    # waits until all are done.
    await asyncio.gather(download(1), download(2), download(4))


asyncio.run(main())
