"""Exercise 10: don't lose the background tasks. After: asyncdemo cancel --no-drain.

main starts three background tasks that each write a log line after a
second, and does its own work for half a second. But it keeps no
reference to them and returns first: asyncio.run then cancels them, and the
three log lines are lost. Keep the tasks, and before main returns, wait for
them to finish: "logged a", "logged b" and "logged c" at 1 s.

练习 10：不要丢掉后台任务（先看 asyncdemo cancel --no-drain）。
main 启动三个后台任务，每个在一秒后写一行日志，自己做半秒的工作。但它没有保存这些任务的引用，
并且先返回了：asyncio.run 于是取消它们，三行日志就丢了。保存这些任务，在 main 返回之前等它们完成：
"logged a"、"logged b"、"logged c" 在 1 秒出现。

Check it / 检查：asyncdemo check background
"""
import asyncio


async def log(name):
    await asyncio.sleep(1)  # writing somewhere slow, pretended
    print(f"logged {name}")


async def main():
    for name in "abc":
        asyncio.create_task(log(name))
    await asyncio.sleep(0.5)  # main's own work
    print("main done")


asyncio.run(main())
