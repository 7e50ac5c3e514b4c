# A program that reads stdin gets it; its prompt shows before the answer.
import asyncio


async def main():
    name = await asyncio.to_thread(input, "name? ")
    print("hello", name)


asyncio.run(main())
