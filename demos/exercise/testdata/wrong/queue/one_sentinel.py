# One sentinel for two workers: the other waits for ever.
# fails: problem
# says: was still running after 60 s
# says: `job = await queue.get()`
import asyncio


async def work(job):
    await asyncio.sleep(1)
    print(f"done {job}")


async def worker(queue):
    while True:
        job = await queue.get()
        if job is None:
            return
        await work(job)


async def producer(queue):
    for job in range(6):
        await queue.put(job)
    await queue.put(None)


async def main():
    queue = asyncio.Queue()
    await asyncio.gather(producer(queue), worker(queue), worker(queue))


asyncio.run(main())
