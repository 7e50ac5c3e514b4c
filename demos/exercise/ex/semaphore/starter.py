"""Exercise 5: at most three at a time. After: asyncdemo sms.

Nine downloads take a second each. The server takes at most three at a time,
but main() starts all nine at once. Use an asyncio.Semaphore so that at most
three downloads wait at any moment (and always three while there is work):
the nine then take about 3 seconds.

练习 5：同时最多三个（先看 asyncdemo sms）。
九个下载每个需要 1 秒。服务器同时最多接受三个，但 main() 一下子启动了全部九个。
用 asyncio.Semaphore 让任何时刻最多三个下载在等待（有活时总是三个）：九个下载约 3 秒完成。

Check it / 检查：asyncdemo check semaphore
"""
import asyncio


async def download(n):
    print(f"downloading {n}")
    await asyncio.sleep(1)  # the network, pretended
    print(f"downloaded {n}")


async def main():
    await asyncio.gather(*(download(n) for n in range(9)))


asyncio.run(main())
