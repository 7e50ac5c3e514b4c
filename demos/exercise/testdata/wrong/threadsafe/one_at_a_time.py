# Hands each download to the loop thread, but waits for its result before
# handing it the next.
# fails: InFlight
# fails: Elapsed
# says: They ran one after another
# says: .result() right after each run_coroutine_threadsafe
import asyncio
import threading


async def download(x):
    await asyncio.sleep(x)
    return x


def main():
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    results = [asyncio.run_coroutine_threadsafe(download(x), loop).result() for x in (0.5, 1, 1.5)]
    print("fetched", results)
    loop.call_soon_threadsafe(loop.stop)
    thread.join()
    loop.close()


main()
