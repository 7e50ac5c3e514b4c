"""Exercise 4: each result as soon as it is ready. After: asyncdemo nest.

Three downloads take 3, 1 and 2 seconds. main() gathers them and prints the
results at the end, all three at 3 s. Print each as soon as its download is
done: "got 1" at 1 s, "got 2" at 2 s, "got 3" at 3 s, with the three still
downloading at the same time.

练习 4：结果一好就打印（先看 asyncdemo nest）。
三个下载分别需要 3、1、2 秒。main() 用 gather 收集它们，在最后打印结果，三个都在 3 秒时打印。
让每个下载一完成就打印："got 1" 在 1 秒，"got 2" 在 2 秒，"got 3" 在 3 秒，三个仍然同时下载。

Check it / 检查：asyncdemo check as-completed
"""
import asyncio


async def download(n):
    await asyncio.sleep(n)  # the network, pretended
    return n


async def main():
    results = await asyncio.gather(download(3), download(1), download(2))
    for n in results:
        print(f"got {n}")


asyncio.run(main())
