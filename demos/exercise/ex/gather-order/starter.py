"""Exercise 3: results in the order asked. After: asyncdemo nest.

fetch(name, seconds) pretends to fetch a page. main() fetches three at once,
but collects the results as they finish, so it prints
['quick', 'medium', 'slow']. Make it print the results in the order they
were asked for, ['slow', 'quick', 'medium'], with the three still fetched at
the same time: about 3 seconds in all.

练习 3：按请求的顺序得到结果（先看 asyncdemo nest）。
fetch(name, seconds) 假装获取一个页面。main() 同时获取三个，但按完成的先后收集结果，
所以打印 ['quick', 'medium', 'slow']。让它按请求的顺序打印结果 ['slow', 'quick', 'medium']，
三个仍然同时获取：整体约 3 秒。

Check it / 检查：asyncdemo check gather-order
"""
import asyncio


async def fetch(name, seconds):
    await asyncio.sleep(seconds)  # the network, pretended
    return name


async def main():
    pages = [fetch("slow", 3), fetch("quick", 1), fetch("medium", 2)]
    results = []
    for next_done in asyncio.as_completed(pages):
        results.append(await next_done)
    print(results)


asyncio.run(main())
