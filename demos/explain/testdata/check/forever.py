# Waits for ever: the check's limit stops it.
import asyncio


async def main():
    await asyncio.Event().wait()

asyncio.run(main())
