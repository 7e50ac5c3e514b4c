# Each await needs what the one before it returned (a user, then that
# user's orders, then each order's total from the previous total): one after
# another is the only way. Nothing to explain.
#
# want: clean
import asyncio


async def get_user(name):
    await asyncio.sleep(0.1)
    return {"name": name, "id": 7}


async def get_orders(user_id):
    await asyncio.sleep(0.15)
    return [user_id * 10, user_id * 20]


async def add(total, amount):
    await asyncio.sleep(0.1)
    return total + amount


async def main():
    user = await get_user("ann")
    orders = await get_orders(user["id"])
    total = 0
    for amount in orders:
        total = await add(total, amount)
    print(user["name"], total)


asyncio.run(main())
