"""Exercise 8: a queue that ends: a model solution."""
import asyncio


async def work(job):
    await asyncio.sleep(1)  # a second of work, pretended
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
    await queue.join()  # until task_done was called for every job put
    for w in workers:
        w.cancel()  # they wait in queue.get(): nothing is lost
    await asyncio.gather(*workers, return_exceptions=True)


asyncio.run(main())
