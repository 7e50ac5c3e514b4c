"""Exercise 1: three downloads at once. After: asyncdemo gather.

download(n) pretends to fetch a file that takes n seconds. main() fetches
three, one after another: 1 + 2 + 4 = 7 seconds. Change main so that the
three wait at the same time, and the whole takes about 4 seconds, as long as
the longest. Leave download as it is.

练习 1：同时下载三个文件（先看 asyncdemo gather）。
download(n) 假装下载一个需要 n 秒的文件。main() 一个接一个地下载三个：
1 + 2 + 4 = 7 秒。修改 main，让三个下载同时等待，整体约 4 秒，和最长的一样。
不要修改 download。

Check it / 检查：asyncdemo check overlap
"""
import asyncio


async def download(n):
    print(f"downloading {n}")
    await asyncio.sleep(n)  # the network, pretended
    print(f"downloaded {n}")
    return n


async def main():
    for n in (1, 2, 4):
        await download(n)


asyncio.run(main())
