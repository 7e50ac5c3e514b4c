"""Exercise 11: take the first answer, cancel the other. After: asyncdemo nest.

The same file is on two mirrors: the near one answers in 1 s, the far one
in 3 s. main asks both and waits for both: 3 s. Take whichever answers
first, print "got it from near" at 1 s, and cancel the other at that
moment: its download is no longer needed while main goes on.

练习 11：取最先的答案，取消另一个（先看 asyncdemo nest）。
同一个文件在两个镜像上：近的 1 秒回答，远的 3 秒。main 两个都问，并且两个都等：3 秒。
取最先回答的那个，在 1 秒打印 "got it from near"，并在那一刻取消另一个：main 继续做别的事时，它的下载已经不需要了。

Check it / 检查：asyncdemo check first-wins
"""
import asyncio


async def mirror(name, seconds):
    await asyncio.sleep(seconds)  # the download, pretended
    return name


async def main():
    answers = await asyncio.gather(mirror("near", 1), mirror("far", 3))
    print(f"got it from {answers[0]}")
    await asyncio.sleep(2)  # main goes on with other work


asyncio.run(main())
