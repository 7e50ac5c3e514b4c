// Package aio is a small event loop modelled exactly on Python's asyncio.
//
// It exists to teach: a learner who knows asyncio recognises every name
// (Loop, Future, Task, CallSoon, CallLater, RunUntilComplete, Gather, Wait,
// AsCompleted, Cancel, AddDoneCallback), and the behaviour is the behaviour of
// CPython's asyncio, ordering included:
//
//   - One thing runs at a time. A Loop runs callbacks and task steps one after
//     another on the goroutine that called Run*; a task's coroutine runs on its
//     own goroutine, but control is handed over like a baton (iter.Pull), so a
//     coroutine and the loop never run at the same time. A task whose
//     coroutine is Sleep's (create_task(asyncio.sleep(d))) awaits once and
//     returns, so the loop runs it without a goroutine, in the same steps.
//   - A coroutine gives control back only at an await (Task.Sleep, Task.Await,
//     Task.Wait, AsCompleted). A blocking call such as time.Sleep inside a
//     coroutine or callback blocks the whole loop, exactly as in Python.
//   - Each turn of the loop (one "iteration") runs the callbacks that were ready
//     when it began, in the order they were scheduled; anything they schedule
//     runs in the next iteration. Done-callbacks are scheduled with CallSoon when
//     a future completes, never called inline. Tasks take their first step in
//     creation order. Timers with equal deadlines fire in the order they were
//     set. A sleeping task wakes two iterations after its timer is due: the
//     timer fires in one, the task resumes in the next, as in CPython.
//   - Cancelling a task raises ErrCancelled inside it, at the await where it
//     is suspended; the coroutine may catch it (ignore the error) and go on.
//
// Where Go and Python differ, the Go side is documented at the name concerned:
// errors are returned rather than raised, a Task embeds its Future rather than
// inheriting from it, and Wait returns Go maps, which like Python's sets have
// no fixed order.
//
// While nothing is ready the loop blocks until its next timer or a call from
// another goroutine (CallSoonThreadsafe); it uses no CPU while idle.
package aio
