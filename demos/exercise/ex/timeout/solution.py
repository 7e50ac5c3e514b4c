"""Exercise 6: give up after a second: a model solution."""
import asyncio


async def ask(question, delay):
    await asyncio.sleep(delay)  # the server, pretended: today it hangs
    return f"the answer to {question}"


async def main():
    try:
        # When the block takes longer than 1 s, asyncio.timeout cancels
        # what it awaits and raises TimeoutError here.
        async with asyncio.timeout(1):
            answer = await ask("life", 10)
        print(answer)
    except TimeoutError:
        print("gave up after 1 s")
    await asyncio.sleep(2)  # main goes on with other work


asyncio.run(main())
