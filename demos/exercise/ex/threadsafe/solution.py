"""Exercise 18: hand coroutines to a loop in another thread: a model solution."""
import asyncio
import threading


async def download(x):
    await asyncio.sleep(x)  # the download, pretended
    return x


def start_loop():
    """A new event loop, running for ever in a thread of its own."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    return loop, thread


def stop_loop(loop, thread):
    loop.call_soon_threadsafe(loop.stop)  # from another thread, only the *_threadsafe calls are safe
    thread.join()
    loop.close()


def main():  # blocking code: no async def here
    loop, thread = start_loop()
    # All three first: each is a task on the loop at once, and a
    # concurrent.futures.Future here, in the main thread.
    futures = [asyncio.run_coroutine_threadsafe(download(x), loop) for x in (0.5, 1, 1.5)]
    results = [f.result() for f in futures]  # blocks main until each is done
    print("fetched", results)
    stop_loop(loop, thread)


main()
