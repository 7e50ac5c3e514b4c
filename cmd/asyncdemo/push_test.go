package main

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/asyncdemo/asyncdemo/demos/redisqueue"
	"github.com/asyncdemo/asyncdemo/demos/redisqueue/redistest"
	"github.com/asyncdemo/asyncdemo/timing"
)

// TestPushRefusesABadCommandLine: values and --from-dead together, or
// --from-dead's options without it, are a usage error, before any Redis is
// needed.
func TestPushRefusesABadCommandLine(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"push"}, "push needs at least one value"},
		{[]string{"push", "--from-dead", "5"}, "values or --from-dead, not both"},
		{[]string{"push", "--reason", "maximum", "5"}, "--reason chooses dead letters to replay: it needs --from-dead"},
		{[]string{"push", "--dry-run", "5"}, "--dry-run lists the dead letters --from-dead would replay: it needs --from-dead"},
		{[]string{"push", "--from-dead"}, "push needs a real Redis"},
	} {
		out, errOut, code := runCmd(t, c.args...)
		if code != exitUsage || !strings.Contains(errOut, c.want) || strings.Count(errOut, "\n") != 1 || out != "" {
			t.Errorf("%q: exit %d, printed %q %q; want 2 and one line saying %q", c.args, code, out, errOut, c.want)
		}
	}
	out, _, code := runCmd(t, "push", "--help")
	if code != 0 || !strings.Contains(out, "--from-dead") || !strings.Contains(out, "push [V... | --from-dead]") {
		t.Errorf("push --help: exit %d, %q", code, out)
	}
}

// TestPushFromDeadReplaysDeadLettersByteForByte: a message that is not
// UTF-8 is dead-lettered by the queue lesson, listed by --dry-run, put back
// by --from-dead, and taken again with the same bytes (issue 12, item 12).
func TestPushFromDeadReplaysDeadLettersByteForByte(t *testing.T) {
	srv := redistest.Real(t)
	url := "redis://" + srv.Addr + "/3"
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, DB: 3})
	defer rdb.Close()
	ctx := context.Background()
	poison := []string{"\xff\xfe", "99", "\x1b]0;title\a"}
	q := redisqueue.New(rdb, "queue", "test")
	q.Push(ctx, "1", poison[0], poison[1], poison[2])
	if _, errOut, code := runCmdNow(ctx, "queue", "--redis", url, "--idle", "3", "--scale", "0.05", "--json", "--consumer", "c1"); code != 0 {
		t.Fatalf("queue: exit %d: %s", code, errOut)
	}
	if n, _ := rdb.LLen(ctx, "queue:dead").Result(); n != 3 {
		t.Fatalf("%d dead letters after the lesson, want 3", n)
	}

	out, errOut, code := runCmdNow(ctx, "push", "--redis", url, "--from-dead", "--dry-run", "--no-color")
	if code != 0 || strings.ContainsAny(out+errOut, "\x1b\xff") || !strings.Contains(out, `"\xff\xfe"`) {
		t.Errorf("push --from-dead --dry-run: exit %d, printed %q %q; want every value quoted, none raw", code, out, errOut)
	}
	said := push(t, "--redis", url, "--from-dead", "--dry-run")
	for _, want := range []string{
		`would replay "\xff\xfe": reason "not a positive whole number" (c1, 20`,
		`would replay "99": reason "over the maximum of 30"`,
		`would replay "\x1b]0;title\a"`,
		"--dry-run: would replay 3 dead letter(s) onto queue, oldest first; nothing changed, 3 in queue:dead",
	} {
		if !strings.Contains(said, want) {
			t.Errorf("push --from-dead --dry-run said %q; want %q", said, want)
		}
	}
	if n, _ := rdb.LLen(ctx, "queue").Result(); n != 0 {
		t.Errorf("--dry-run pushed %d", n)
	}

	said = push(t, "--redis", url, "--from-dead", "--reason", "maximum")
	if !strings.Contains(said, `replayed "99"`) || strings.Contains(said, `replayed "\xff`) ||
		!strings.Contains(said, `replayed 1 dead letter(s) whose reason contains "maximum" onto queue, oldest first; 2 left in queue:dead`) {
		t.Errorf("push --from-dead --reason maximum said %q", said)
	}
	if said := push(t, "--redis", url, "--from-dead"); !strings.Contains(said, "replayed 2 dead letter(s) onto queue, oldest first; 0 left in queue:dead") {
		t.Errorf("push --from-dead said %q", said)
	}
	var took []string
	for {
		v, err := q.Take(ctx, 0)
		if errors.Is(err, redisqueue.ErrEmpty) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		took = append(took, v)
	}
	if want := []string{"99", poison[0], poison[2]}; !slices.Equal(took, want) {
		t.Errorf("took %q after the replays, want %q: the same bytes, in the order they were replayed and died", took, want)
	}
	if said := push(t, "--redis", url, "--from-dead"); !strings.Contains(said, "no dead letter to replay; 0 in queue:dead") {
		t.Errorf("push --from-dead again said %q", said)
	}
}

// push runs asyncdemo push with args and --json, and returns the text of
// each event it printed, a line each.
func push(t *testing.T, args ...string) string {
	t.Helper()
	out, errOut, code := runCmdNow(context.Background(), append([]string{"push", "--json"}, args...)...)
	if code != 0 {
		t.Fatalf("push %q: exit %d: %s", args, code, errOut)
	}
	var texts []string
	for _, e := range events(t, out) {
		texts = append(texts, e.Text)
	}
	return strings.Join(texts, "\n")
}

// TestADeadKeyThatIsNotAListLosesNothing: issue 12, item 4, end to end. With
// queue:dead a string, a poison message cannot be dead-lettered: the
// consumer says why, the run still ends when idle, and the message is not
// lost; once the key is renamed, the next run dead-letters it.
func TestADeadKeyThatIsNotAListLosesNothing(t *testing.T) {
	srv := redistest.Real(t)
	url := "redis://" + srv.Addr + "/3"
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, DB: 3})
	defer rdb.Close()
	ctx := context.Background()
	rdb.Set(ctx, "queue:dead", "not a list", 0)
	redisqueue.New(rdb, "queue", "test").Push(ctx, "1", "banana")
	run := func() string {
		t.Helper()
		out, errOut, code := runCmdNow(ctx, "queue", "--redis", url, "--idle", "3", "--scale", "0.05", "--json", "--consumer", "c1")
		if code != 0 {
			t.Fatalf("queue: exit %d: %s", code, errOut)
		}
		var texts []string
		for _, e := range events(t, out) {
			texts = append(texts, e.Text)
		}
		return strings.Join(texts, "\n")
	}
	said := run()
	if !strings.Contains(said, `rejecting "banana": WRONGTYPE queue:dead is a string, not a list: rename or delete it`) {
		t.Errorf("the consumer said %q; want why banana could not be dead-lettered", said)
	}
	waiting, _ := rdb.LRange(ctx, "queue", 0, -1).Result()
	processing, _ := rdb.LRange(ctx, "queue:processing:c1", 0, -1).Result()
	if !slices.Equal(append(waiting, processing...), []string{"banana"}) {
		t.Errorf("after the run, queue %q and processing list %q; want banana in one of them", waiting, processing)
	}
	rdb.Rename(ctx, "queue:dead", "queue:dead:old")
	run()
	dead, err := redisqueue.New(rdb, "queue", "test").DeadLetters(ctx)
	if err != nil || len(dead) != 1 || dead[0].Value != "banana" {
		t.Errorf("after the key was renamed, dead letters %+v, %v; want banana", dead, err)
	}
}

// TestPushQuotesWhatItPushed: values are outside text. push says what it
// pushed as redis-cli would take it back: a plain value bare, any other
// quoted, so that a newline, an escape sequence or a space in a value never
// reaches the terminal raw or runs into the next value.
func TestPushQuotesWhatItPushed(t *testing.T) {
	srv := redistest.Real(t)
	url := "redis://" + srv.Addr + "/3"
	values := []string{"5", "a\nb", "\x1b[31mred", "two words", "", `say "hi"`, "\u202eevil", "\xff", "日本"}
	out, errOut, code := runCmdNow(context.Background(), append([]string{"push", "--json", "--redis", url}, values...)...)
	want := `LPUSH queue 5 "a\nb" "\x1b[31mred" "two words" "" "say \"hi\"" "\u202eevil" "\xff" 日本: 9 waiting`
	var e timing.Event
	if err := json.Unmarshal([]byte(out), &e); code != 0 || err != nil || e.Text != want || errOut != "" {
		t.Errorf("push --json: exit %d, printed %q %q; want the event %q", code, out, errOut, want)
	}
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, DB: 3})
	defer rdb.Close()
	pushed := slices.Clone(values)
	slices.Reverse(pushed) // LPUSH: the last value first
	if got, _ := rdb.LRange(context.Background(), "queue", 0, -1).Result(); !slices.Equal(got, pushed) {
		t.Errorf("queue = %q, want %q, byte for byte", got, pushed)
	}
	// On the terminal: one line, nothing raw.
	out, errOut, code = runCmdNow(context.Background(), "push", "--no-color", "--redis", url, "a\nb", "\x1b]0;title\a")
	want = `LPUSH queue "a\nb" "\x1b]0;title\a": 11 waiting` + "\n"
	if code != 0 || !strings.HasSuffix(out, want) || strings.Count(out, "\n") != 1 || errOut != "" {
		t.Errorf("push: exit %d, printed %q %q; want one line ending %q", code, out, errOut, want)
	}
}
