"""Exercise 19: drain a Redis list with three workers, losing nothing. After: asyncdemo workers.

The Redis list "jobs" holds 12 jobs (asyncdemo check starts an embedded
Redis and says where: $REDIS_URL). One worker takes them with RPOP and
processes each in turn (0.3 s each): 3.6 s, and a job it has taken lives
only in its memory: if it dies, the job is lost. Run three workers, so
that three jobs are processed at once (never more), 1.2 s in all, and take
each job reliably: with LMOVE from "jobs" into "jobs:processing", removed
from there (LREM) once processed. Both lists end empty. Leave process as it
is.

练习 19：用三个工作者清空一个 Redis 列表，一个都不丢（先看 asyncdemo workers）。
Redis 列表 "jobs" 里有 12 个任务（asyncdemo check 会启动一个内嵌的 Redis，地址在 $REDIS_URL）。
一个工作者用 RPOP 取任务并逐个处理（每个 0.3 秒）：3.6 秒，而且它取走的任务只存在于它的内存里：
它一旦崩溃，任务就丢了。运行三个工作者，让三个任务同时处理（不能更多），总共 1.2 秒，并且可靠地取任务：
用 LMOVE 从 "jobs" 移到 "jobs:processing"，处理完后再从那里删掉（LREM）。两个列表最后都是空的。
不要修改 process。

Check it / 检查：asyncdemo check redis-drain
"""
import asyncio
import os

import redis.asyncio as redis


async def process(job):
    await asyncio.sleep(0.3)  # the work, pretended


async def worker(r):
    while (job := await r.rpop("jobs")) is not None:
        await process(job)


async def main():
    r = redis.from_url(os.environ["REDIS_URL"], decode_responses=True)
    try:
        await worker(r)
    finally:
        await r.close()


asyncio.run(main())
