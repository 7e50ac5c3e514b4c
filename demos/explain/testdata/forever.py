# Runs until Ctrl+C, which Python turns into a cancellation of main, then
# a KeyboardInterrupt: exit 130.
import asyncio


async def main():
    print("ready", flush=True)
    await asyncio.sleep(3600)


asyncio.run(main())
