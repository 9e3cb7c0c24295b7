package main

import "github.com/turnpike/turnpike/gateway/fleet"

// streamKey is the Redis stream of stages' "redis" access logs.
func streamKey(prefix string) string {
	if prefix == "" {
		prefix = fleet.DefaultRedisPrefix
	}
	return prefix + "accesslog"
}
