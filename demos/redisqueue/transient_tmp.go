package redisqueue

import (
	"errors"
	"strings"

	"github.com/redis/go-redis/v9"
)

// Transient (temporary, replaced by the dead-letter branch's).
func Transient(err error) bool {
	var re redis.Error
	if errors.As(err, &re) {
		msg := re.Error()
		for _, p := range []string{"LOADING", "READONLY", "MASTERDOWN", "TRYAGAIN", "CLUSTERDOWN", "BUSY"} {
			if strings.HasPrefix(msg, p) {
				return true
			}
		}
		return false
	}
	return true
}
