package redisqueue

import (
	"encoding/json"
	"errors"
	"time"
	"unicode/utf8"
)

// deadLetterJSON is a dead letter as the dead-letter list holds it.
// Exactly one of Value and ValueBase64 is set.
type deadLetterJSON struct {
	Value       *string   `json:"value,omitempty"`
	ValueBase64 []byte    `json:"value_base64,omitempty"` // encoding/json writes a []byte as base64
	Reason      string    `json:"reason"`
	Consumer    string    `json:"consumer"`
	At          time.Time `json:"at"`
}

// MarshalJSON writes d as the dead-letter list holds it:
//
//	{"value":"banana","reason":"not a positive whole number","consumer":"c1","at":"2025-06-01T10:00:00.123Z"}
//
// A JSON string is text: encoding/json would write each byte of the value
// that is not UTF-8 as U+FFFD, and the message could not be replayed as it
// was. So a value that is not UTF-8 is written as value_base64 instead,
// exactly, and one that is (the common case) stays readable with
// redis-cli. Reason and Consumer are text: a byte of theirs that is not
// UTF-8 becomes U+FFFD.
func (d DeadLetter) MarshalJSON() ([]byte, error) {
	j := deadLetterJSON{Reason: d.Reason, Consumer: d.Consumer, At: d.At}
	if utf8.ValidString(d.Value) {
		j.Value = &d.Value
	} else {
		j.ValueBase64 = []byte(d.Value)
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads a dead letter written by MarshalJSON, by the Python
// twins, or by an asyncdemo from before value_base64 (whose value may hold
// U+FFFD where the message had a byte that was not UTF-8).
func (d *DeadLetter) UnmarshalJSON(data []byte) error {
	var j deadLetterJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	switch {
	case j.ValueBase64 != nil:
		d.Value = string(j.ValueBase64)
	case j.Value != nil:
		d.Value = *j.Value
	default:
		return errors.New("a dead letter has a value or a value_base64, this has neither")
	}
	d.Reason, d.Consumer, d.At = j.Reason, j.Consumer, j.At
	return nil
}
