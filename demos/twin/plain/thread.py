import asyncio
import concurrent.futures
import sys
import threading
import time


def say(text):
    sys.stdout.write(text + "\n")  # one write: main and the loop thread print at once, and print() makes two


def more_work(x):
    say(f"More work {x}")
    time.sleep(x)  # blocks the loop's thread: nothing else runs meanwhile
    say(f"Finished more work {x}")


async def do_some_work(x):
    say(f"Waiting: {x}")
    await asyncio.sleep(x)
    say(f"Done after {x}s")
    return x


def start_loop():
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)  # not t.setDaemon(True)
    thread.start()
    return loop, thread


loop, thread = start_loop()
say("main: loop started in another thread; main is not blocked")
for x in (6, 3):
    loop.call_soon_threadsafe(more_work, x)  # one after the other: 6 + 3 s
loop.call_soon_threadsafe(loop.stop)  # after the work
thread.join()

loop, thread = start_loop()
futures = [asyncio.run_coroutine_threadsafe(do_some_work(x), loop) for x in (6, 4)]  # they overlap: 6 s
say("main: coroutines submitted; main is not blocked")
for future in concurrent.futures.as_completed(futures):
    future.result()  # what the coroutine returned, or raises what it raised in the loop thread
loop.call_soon_threadsafe(loop.stop)
thread.join()
