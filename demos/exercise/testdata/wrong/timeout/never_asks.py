# Waits a second and says it gave up, without ever asking.
# fails: Cancelled
# says: ask('life') never waited, so there was nothing to cancel
import asyncio


async def ask(question, delay):
    await asyncio.sleep(delay)
    return f"the answer to {question}"


async def main():
    await asyncio.sleep(1)
    print("gave up after 1 s")
    await asyncio.sleep(2)


asyncio.run(main())
