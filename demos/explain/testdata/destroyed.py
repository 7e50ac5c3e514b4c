# The loop is closed while a task still waits: the task is destroyed while
# pending, and the rest of its code never runs.
#
# want: destroyed-pending 10
import asyncio
import gc


async def worker(q):
    item = await q.get()
    print("got", item)


async def main():
    q = asyncio.Queue()
    asyncio.get_running_loop().create_task(worker(q))
    await asyncio.sleep(0.01)


loop = asyncio.new_event_loop()
loop.run_until_complete(main())
loop.close()
gc.collect()
print("done")
