"""Exercise 2: replace a blocking sleep. After: asyncdemo await --blocking.

report() does a slow job of 2 seconds while ticker() prints a tick every
half second. But report() waits with time.sleep, which blocks the whole
thread, and the event loop with it: no tick can come until report is done.
Make report() wait without blocking the loop, so that the ticks come on
time (0, 0.5, 1 and 1.5 s) and the whole takes about 2 seconds. The job is
pretended: report must still take its 2 seconds.

练习 2：替换阻塞的 sleep（先看 asyncdemo await --blocking）。
report() 做一件 2 秒的慢活，同时 ticker() 每半秒打印一次 tick。但 report() 用
time.sleep 等待，它阻塞整个线程，也阻塞了事件循环：report 结束前没有 tick 能出来。
让 report() 等待时不阻塞事件循环，使 tick 按时出现（0、0.5、1、1.5 秒），整体约 2 秒。
这件活是假装的：report 仍然要花 2 秒。

Check it / 检查：asyncdemo check blocking
"""
import asyncio
import time


async def report():
    print("report: working")
    time.sleep(2)  # a slow job, pretended
    print("report: done")


async def ticker():
    for i in range(4):
        print(f"tick {i}")
        await asyncio.sleep(0.5)


async def main():
    await asyncio.gather(ticker(), report())


asyncio.run(main())
