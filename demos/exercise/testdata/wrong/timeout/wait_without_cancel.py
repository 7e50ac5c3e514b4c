# Stops waiting for the answer after 1 s, but leaves the call waiting until
# asyncio.run cancels what is left, at the end.
# fails: Cancelled
# says: ask('life') was cancelled at 3.00 s; it should be at 1 s
import asyncio


async def ask(question, delay):
    await asyncio.sleep(delay)
    return f"the answer to {question}"


async def main():
    task = asyncio.create_task(ask("life", 10))
    done, pending = await asyncio.wait({task}, timeout=1)
    if pending:
        print("gave up after 1 s")
    else:
        print(task.result())
    await asyncio.sleep(2)


asyncio.run(main())
