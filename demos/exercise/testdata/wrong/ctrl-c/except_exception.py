# Ends quietly on Ctrl+C, but cleans up in an except Exception, which
# CancelledError (a BaseException) passes by.
# fails: Prints
# says: It never printed “removed a.part”
# says: CancelledError is a BaseException, not an Exception
import asyncio


async def download(name, seconds):
    print(f"downloading {name}")
    try:
        await asyncio.sleep(seconds)
    except Exception:
        print(f"removed {name}.part")
        raise
    print(f"saved {name}")


async def main():
    await asyncio.gather(download("a", 3), download("b", 4), download("c", 5))


try:
    asyncio.run(main())
except KeyboardInterrupt:
    print("stopped")
