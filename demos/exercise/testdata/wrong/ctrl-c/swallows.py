# Cleans up on CancelledError, but does not raise it again: each download
# returns as if it had finished.
# fails: Ends
# says: caught the CancelledError
import asyncio


async def download(name, seconds):
    print(f"downloading {name}")
    try:
        await asyncio.sleep(seconds)
    except asyncio.CancelledError:
        print(f"removed {name}.part")
        return
    print(f"saved {name}")


async def main():
    await asyncio.gather(download("a", 3), download("b", 4), download("c", 5))


try:
    asyncio.run(main())
except KeyboardInterrupt:
    print("stopped")
