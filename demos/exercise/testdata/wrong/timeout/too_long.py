# A timeout, of the wrong length.
# fails: Cancelled
# fails: Prints
# says: ask('life') was cancelled at 5.00 s; it should be at 1 s
import asyncio


async def ask(question, delay):
    await asyncio.sleep(delay)
    return f"the answer to {question}"


async def main():
    try:
        async with asyncio.timeout(5):
            print(await ask("life", 10))
    except TimeoutError:
        print("gave up after 1 s")
    await asyncio.sleep(2)


asyncio.run(main())
