"""Exercise 5: at most three at a time: a model solution."""
import asyncio


async def download(n, limit):
    async with limit:  # waits here while three others hold it
        print(f"downloading {n}")
        await asyncio.sleep(1)  # the network, pretended
        print(f"downloaded {n}")


async def main():
    limit = asyncio.Semaphore(3)  # one semaphore, shared by all nine
    await asyncio.gather(*(download(n, limit) for n in range(9)))


asyncio.run(main())
