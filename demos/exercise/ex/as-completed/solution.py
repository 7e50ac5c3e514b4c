"""Exercise 4: each result as soon as it is ready: a model solution."""
import asyncio


async def download(n):
    await asyncio.sleep(n)  # the network, pretended
    return n


async def main():
    # as_completed starts the three at once and yields an awaitable for
    # each result in the order they finish: the quickest first.
    for next_done in asyncio.as_completed([download(3), download(1), download(2)]):
        n = await next_done
        print(f"got {n}")


asyncio.run(main())
