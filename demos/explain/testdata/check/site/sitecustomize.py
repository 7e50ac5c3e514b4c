# Put on PYTHONPATH by a test: a check must not run it before its recorder
# (it would patch asyncio before the recorder takes its references).
import asyncio

print("sitecustomize ran")


async def sleep(delay, result=None):
    return result

asyncio.sleep = sleep
