"""Exercise 9: a blocking library, off the loop. After: asyncdemo thread.

legacy_fetch(n) comes from an old library: it blocks (time.sleep stands for
its network wait) and you cannot change it. main calls it three times from
async code, which holds the event loop each time: the ticks stop, and the
three take 1 + 2 + 3 = 6 s. Run the calls in threads, so that the loop stays
free (ticks every half second) and the three overlap: about 3 s. Leave
legacy_fetch as it is.

练习 9：把阻塞的库调用移出事件循环（先看 asyncdemo thread）。
legacy_fetch(n) 来自一个老库：它会阻塞（time.sleep 代表它的网络等待），你也改不了它。
main 在异步代码里调用它三次，每次都占住事件循环：tick 停了，三次共 1 + 2 + 3 = 6 秒。
把这些调用放到线程里运行，让事件循环保持空闲（每半秒一个 tick），三个调用相互重叠：约 3 秒。
不要修改 legacy_fetch。

Check it / 检查：asyncdemo check to-thread
"""
import asyncio
import time


def legacy_fetch(n):
    time.sleep(n)  # the old library's network wait: it blocks
    return n


async def ticker():
    for i in range(6):
        print(f"tick {i}")
        await asyncio.sleep(0.5)


async def fetch_all():
    results = [legacy_fetch(1), legacy_fetch(2), legacy_fetch(3)]
    print(f"fetched {results}")


async def main():
    await asyncio.gather(ticker(), fetch_all())


asyncio.run(main())
