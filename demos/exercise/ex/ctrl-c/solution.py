"""Exercise 17: Ctrl+C cancels, and each download cleans up: a model solution."""
import asyncio


async def download(name, seconds):
    print(f"downloading {name}")
    try:
        await asyncio.sleep(seconds)  # the download, pretended
    except asyncio.CancelledError:  # not an Exception: a BaseException
        print(f"removed {name}.part")  # the clean-up: the partial file goes
        raise  # and stay cancelled
    print(f"saved {name}")


async def main():
    await asyncio.gather(download("a", 3), download("b", 4), download("c", 5))


try:
    asyncio.run(main())  # Ctrl+C cancels main, which cancels the downloads
except KeyboardInterrupt:  # what asyncio.run raises once they are done
    print("stopped")
