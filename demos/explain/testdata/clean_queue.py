# A producer and three workers sharing an asyncio.Queue, the workers
# cancelled once the queue is drained: nothing to explain.
#
# want: clean
import asyncio


async def producer(q):
    for x in (0.05, 0.02, 0.04, 0.01, 0.03, 0.05):
        await q.put(x)
        await asyncio.sleep(0.01)


async def worker(name, q, done):
    while True:
        x = await q.get()
        await asyncio.sleep(x)
        done.append((name, x))
        q.task_done()


async def main():
    q, done = asyncio.Queue(), []
    workers = [asyncio.create_task(worker(f"w{i}", q, done)) for i in range(3)]
    await producer(q)
    await q.join()
    for w in workers:
        w.cancel()
    await asyncio.gather(*workers, return_exceptions=True)
    print(len(done), "done")


asyncio.run(main())
