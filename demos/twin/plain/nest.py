import asyncio


async def do_some_work(x):
    print(f"Waiting: {x}")
    await asyncio.sleep(x)
    return f"Done after {x}s"


def create_tasks():
    return [asyncio.create_task(do_some_work(x)) for x in (1, 2, 4)]


async def main_wait():
    done, pending = await asyncio.wait(create_tasks())
    print(f"{len(done)} done, {len(pending)} pending")
    for task in done:  # a set: in no order
        print(f"Task ret: {task.result()}")


async def main_gather():
    for result in await asyncio.gather(*create_tasks()):  # in argument order
        print(f"Task ret: {result}")


async def main_return():
    return await asyncio.gather(*create_tasks())


async def main_as_completed():
    for next_done in asyncio.as_completed(create_tasks()):  # in the order they finish
        print(f"Task ret: {await next_done}")


asyncio.run(main_wait())
asyncio.run(main_gather())
for result in asyncio.run(main_return()):  # main's result, outside the loop
    print(f"Task ret: {result}")
asyncio.run(main_as_completed())
