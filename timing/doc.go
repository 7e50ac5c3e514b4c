// Package timing measures and shows what a lesson does over time.
//
// It holds the clocks (a [Clock] whose durations can be scaled so a 4-second
// lesson runs in 0.4 s, and a [Stopwatch] for real elapsed time), the
// [Recorder] that timestamps a lesson's events and task spans, and the sinks
// and renderers that show them: the human [Printer], the [JSONWriter] for
// --json, the [Timeline] chart and [WriteTrace] for Chrome Trace Event files.
//
// Everything uses only the time package for time, so tests can run a lesson
// inside testing/synctest and see exact durations.
package timing
