import asyncio


async def do_some_work(x):
    print(f"Waiting: {x}")
    await asyncio.sleep(x)
    return f"Done after {x}s"


loop = asyncio.new_event_loop()
tasks = [loop.create_task(do_some_work(x)) for x in (1, 2, 2)]
wait = loop.create_task(asyncio.wait(tasks))
try:
    loop.run_until_complete(wait)  # press Ctrl+C while the tasks sleep
except KeyboardInterrupt:
    print("KeyboardInterrupt")
    for task in asyncio.all_tasks(loop):  # asyncio.Task.all_tasks() is gone since 3.9
        print(task)
    for task in asyncio.all_tasks(loop):
        print(task.cancel())  # only asks
    loop.stop()
    loop.run_forever()  # one more turn: each task gets its CancelledError
finally:
    loop.close()
# Today: asyncio.run(main()) turns Ctrl+C into a cancellation of main, and a
# TaskGroup cancels its children.
