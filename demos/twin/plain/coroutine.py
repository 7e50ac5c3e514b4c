import asyncio


async def do_some_work(x):
    print(f"Waiting: {x}")


coroutine = do_some_work(2)  # makes a coroutine: nothing runs yet
print("coroutine made; nothing has run yet")
asyncio.run(coroutine)  # a loop runs it (the tutorial: get_event_loop().run_until_complete)
