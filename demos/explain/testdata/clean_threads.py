# A loop running for ever in its own thread, fed coroutines from two other
# threads with run_coroutine_threadsafe, and a blocking call moved off the
# loop with to_thread: nothing to explain.
#
# want: clean
import asyncio
import threading
import time


async def work(x):
    await asyncio.sleep(x)
    return await asyncio.to_thread(lambda: x * 2)


def client(loop, xs, out):
    futures = [asyncio.run_coroutine_threadsafe(work(x), loop) for x in xs]
    out.extend(f.result(timeout=10) for f in futures)


loop = asyncio.new_event_loop()
runner = threading.Thread(target=loop.run_forever, name="loop", daemon=True)
runner.start()
results = []
clients = [threading.Thread(target=client, args=(loop, xs, results)) for xs in ([0.1, 0.05], [0.02, 0.08])]
for c in clients:
    c.start()
for c in clients:
    c.join()
loop.call_soon_threadsafe(loop.stop)
runner.join()
loop.close()
print(sorted(results))
