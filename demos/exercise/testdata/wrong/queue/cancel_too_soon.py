# Stops the workers as soon as the producer is done: the jobs still in the
# queue are lost.
# fails: Waits
# says: work(2) never waited
import asyncio


async def work(job):
    await asyncio.sleep(1)
    print(f"done {job}")


async def worker(queue):
    while True:
        job = await queue.get()
        await work(job)
        queue.task_done()


async def producer(queue):
    for job in range(6):
        await queue.put(job)


async def main():
    queue = asyncio.Queue()
    workers = [asyncio.create_task(worker(queue)) for _ in range(2)]
    await producer(queue)
    await asyncio.sleep(0)
    for w in workers:
        w.cancel()
    await asyncio.gather(*workers, return_exceptions=True)


asyncio.run(main())
