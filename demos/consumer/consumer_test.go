package consumer

import (
	"strings"
	"testing"
)

// A Redis URL's password never appears in what is printed: not in the
// flag's error, whatever part of the URL is wrong.
func TestRedisPasswordsAreRedacted(t *testing.T) {
	for _, u := range []string{
		"redis://:s3cr3tpw@127.0.0.1:6379/3x",
		"redis://alice:s3cr3tpw@127.0.0.1:notaport/3",
		"redis://alice:s3cr3tpw@[::1/3",
		"rediss://:s3cr3tpw@host:6379/nodb",
		"redis://:s3cr%3Atpw@host:6379/x",
	} {
		var got string
		err := URLFlag(&got).Set(u)
		if err == nil {
			t.Errorf("%s: accepted", u)
			continue
		}
		if msg := err.Error(); strings.Contains(msg, "s3cr3tpw") || strings.Contains(msg, "s3cr%3Atpw") || strings.Contains(msg, "s3cr:tpw") {
			t.Errorf("the password is in the error: %s", msg)
		}
	}
	if got := Redacted("redis://alice:pw@host:6379/3"); got != "redis://xxxxx@host:6379/3" {
		t.Errorf("Redacted: %s", got)
	}
	if got := Redacted("redis://host:6379/3"); got != "redis://host:6379/3" {
		t.Errorf("Redacted without a password: %s", got)
	}
}
