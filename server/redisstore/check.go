package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/redis/go-redis/v9"
)

// Check is the start-up check of the Redis the store uses: it must answer,
// accept the URL's credentials and database, and be a master (a replica
// is read-only: refused). It returns warnings for settings that let Redis
// lose rooms: appendonly off (a restart loses what happened since the
// last snapshot) and a maxmemory-policy that evicts keys (a room loses
// parts of its state). The server detects such losses and closes the room
// as lost; these settings prevent them. CONFIG may be disabled (managed
// Redis often renames it): then a warning says the settings could not be
// read. It then loads the scripts (see loadScripts).
func (s *Store) Check(ctx context.Context) (warnings []string, err error) {
	check := func(ctx context.Context, c *redis.Client) error {
		w, err := checkNode(ctx, c)
		if err != nil {
			return fmt.Errorf("redis %s: %w", c.Options().Addr, err)
		}
		s.loadScripts(ctx, c)
		for _, msg := range w {
			warnings = append(warnings, "redis "+c.Options().Addr+": "+msg)
		}
		return nil
	}
	switch c := s.client.(type) {
	case *redis.ClusterClient:
		err = c.ForEachMaster(ctx, check)
	case *redis.Client:
		err = check(ctx, c)
	default:
		err = fmt.Errorf("redis: unexpected client %T", s.client)
	}
	return warnings, err
}

// checkNode checks one server (see Check).
func checkNode(ctx context.Context, c *redis.Client) ([]string, error) {
	if err := c.Ping(ctx).Err(); err != nil {
		return nil, explainConnect(err)
	}
	role, err := c.Do(ctx, "ROLE").Slice()
	if err != nil {
		return nil, explainConnect(err)
	}
	if r, _ := role[0].(string); r != "master" {
		return nil, fmt.Errorf("it is a read-only replica (ROLE %s): point -redis at the master (or use master_name=NAME with Sentinel)", r)
	}
	var warnings []string
	cfg, err := c.ConfigGet(ctx, "*").Result()
	if err != nil || len(cfg) == 0 {
		return []string{"its configuration cannot be read (CONFIG is disabled or renamed): make sure it runs with appendonly yes and maxmemory-policy noeviction, or rooms may lose their history"}, nil
	}
	if v := cfg["appendonly"]; v != "yes" {
		warnings = append(warnings, fmt.Sprintf("appendonly is %q: a Redis restart loses what happened since its last snapshot, and rooms that lost history are closed; set appendonly yes (appendfsync everysec or always)", v))
	}
	if v := cfg["maxmemory-policy"]; v != "noeviction" && cfg["maxmemory"] != "0" {
		warnings = append(warnings, fmt.Sprintf("maxmemory-policy is %q with maxmemory %s: Redis evicts keys when full, and rooms lose parts of their state; set maxmemory-policy noeviction (a full Redis then refuses writes, which the server reports)", v, cfg["maxmemory"]))
	}
	return warnings, nil
}

// loadScripts loads every script the store runs into one server, in one
// round trip: otherwise each is loaded by the first call that finds it
// missing (NOSCRIPT, then EVAL with its source), and a burst of first
// calls, as when many rooms start at once, sends the source once per
// call. Best effort: a script it could not load is loaded by that first
// call.
func (s *Store) loadScripts(ctx context.Context, c *redis.Client) {
	sources := scriptSources.plain
	if s.sharded {
		sources = scriptSources.sharded
	}
	_, _ = c.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, src := range sources {
			p.ScriptLoad(ctx, src)
		}
		return nil
	})
}

// explainConnect says why a connection to Redis failed, in words an
// operator can act on.
func explainConnect(err error) error {
	var reply redis.Error
	if errors.As(err, &reply) {
		msg := reply.Error()
		switch {
		case strings.HasPrefix(msg, "NOAUTH"):
			return errors.New("it wants a password: put it in the URL (redis://:PASSWORD@host:port or redis://USER:PASSWORD@host:port)")
		case strings.HasPrefix(msg, "WRONGPASS"), strings.Contains(msg, "invalid password"), strings.Contains(msg, "invalid username-password"):
			return errors.New("it refused the user name or password in the URL")
		case strings.Contains(msg, "DB index"):
			return fmt.Errorf("it has no such database (%s): use a database number it has, /0 to /15 by default", msg)
		}
	}
	return fail(err)
}
