# The seed's way: a loop of its own, run_until_complete, and Ctrl+C caught
# around it. KeyboardInterrupt comes out of the loop's wait with every task
# pending; closing the loop leaves them so.
# fails: Ends
# fails: Prints
# says: pending
import asyncio


async def download(name, seconds):
    print(f"downloading {name}")
    try:
        await asyncio.sleep(seconds)
    except asyncio.CancelledError:
        print(f"removed {name}.part")
        raise
    print(f"saved {name}")


async def main():
    await asyncio.gather(download("a", 3), download("b", 4), download("c", 5))


loop = asyncio.new_event_loop()
try:
    loop.run_until_complete(main())
except KeyboardInterrupt:
    print("stopped")
finally:
    loop.close()
