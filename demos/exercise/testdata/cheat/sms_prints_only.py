# Says it sent 12, having sent none.
# exercise: sms-fanout
# fails: ServerLoad
# says: The SMS API answered 0 requests, not 12
import asyncio


async def main():
    await asyncio.sleep(0.9)
    print("sent 12")


asyncio.run(main())
