"""Exercise 8: a queue that ends. After: asyncdemo workers.

A producer puts six jobs on an asyncio.Queue; two workers take them, each
job a second of work. Every job gets done in 3 s, but the program never
ends: the workers wait for a seventh job for ever. Make main end cleanly
once every job is done (about 3 s): wait until the queue has been worked
through, then stop the workers. Every job must be done, none lost.

练习 8：会结束的队列（先看 asyncdemo workers）。
生产者把六个任务放进 asyncio.Queue；两个工人取任务来做，每个任务一秒。3 秒内所有任务都做完了，
但程序永远不会结束：工人们一直在等第七个任务。让 main 在所有任务完成后（约 3 秒）干净地结束：
等到队列里的任务都处理完，再停下工人。每个任务都要做完，一个都不能丢。

Check it / 检查：asyncdemo check queue
"""
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
    await asyncio.gather(producer(queue), worker(queue), worker(queue))


asyncio.run(main())
