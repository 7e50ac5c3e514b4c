# Hands the downloads over, but prints the futures instead of waiting for
# their results, and stops the loop with the downloads still running.
# fails: Prints
# fails: Ends
# says: It never printed “fetched [0.5, 1, 1.5]”
import asyncio
import threading


async def download(x):
    await asyncio.sleep(x)
    return x


def main():
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    futures = [asyncio.run_coroutine_threadsafe(download(x), loop) for x in (0.5, 1, 1.5)]
    print("fetched", futures)
    loop.call_soon_threadsafe(loop.stop)
    thread.join()
    loop.close()


main()
