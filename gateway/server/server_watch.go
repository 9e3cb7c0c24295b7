package server

import (
	"context"
	"maps"
	"time"

	"github.com/turnpike/turnpike/gateway/fleet"
	"github.com/turnpike/turnpike/gateway/router"
)

// watch loads every stage, marks the gateway ready and closes loaded, then
// reloads on every bus notification and every ResyncInterval until ctx
// ends.
func (g *Gateway) watch(ctx context.Context, loaded chan<- struct{}) {
	// Subscribe before the first read, so no change slips between them.
	events := g.subscribe(ctx)
	backoff := 100 * time.Millisecond
	for {
		err := g.reload(ctx)
		if err == nil {
			break
		}
		g.logger.Error("loading stages from the fleet bus", "error", err, "retryIn", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, g.cfg.ResyncInterval)
	}
	g.ready.Store(true)
	close(loaded)
	g.logger.Info("gateway ready", "stages", len(g.router.Load().Stages()))

	resync := time.NewTicker(g.cfg.ResyncInterval)
	defer resync.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case _, ok := <-events:
			if !ok {
				// The subscription ended; resubscribe on the next resync.
				events = nil
				continue
			}
		case <-resync.C:
			if events == nil {
				events = g.subscribe(ctx)
			}
		}
		if err := g.reload(ctx); err != nil && ctx.Err() == nil {
			g.logger.Error("reloading stages from the fleet bus", "error", err)
		}
	}
}

func (g *Gateway) subscribe(ctx context.Context) <-chan struct{} {
	ch, err := g.bus.Watch(ctx)
	if err != nil {
		g.logger.Warn("watching the fleet bus; relying on resync", "error", err, "resyncInterval", g.cfg.ResyncInterval)
		return nil
	}
	return ch
}

// reload reads every stage from the bus and swaps in a new router if
// anything changed. Stages whose revision is unchanged keep their compiled
// form; a stage that fails to compile is logged once per revision and its
// previous revision, if any, stays served.
func (g *Gateway) reload(ctx context.Context) error {
	cfgs, err := g.bus.Stages(ctx)
	if err != nil {
		g.metrics.reloads.WithLabelValues("error").Inc()
		return err
	}
	next := make(map[string]*router.Stage, len(cfgs))
	changed := false
	for _, c := range cfgs {
		key := c.Key()
		old := g.compiled[key]
		if old != nil && old.Config.Revision == c.Revision {
			next[key] = old
			continue
		}
		if rev, ok := g.rejected[key]; ok && rev == c.Revision {
			if old != nil {
				next[key] = old
			}
			continue
		}
		st, err := router.CompileStage(c)
		if err != nil {
			g.rejected[key] = c.Revision
			g.logger.Error("stage config rejected; keeping the previous revision",
				"stage", key, "revision", c.Revision, "deploymentId", c.DeploymentID,
				"served", old != nil, "error", err)
			if old != nil {
				next[key] = old
			}
			continue
		}
		delete(g.rejected, key)
		for _, re := range st.Errors {
			g.logger.Warn("route disabled", "stage", key, "revision", c.Revision,
				"routeId", re.RouteID, "routeKey", re.RouteKey, "error", re.Err)
		}
		g.compileExt(st)
		next[key] = st
		changed = true
	}
	var gone []*router.Stage
	for key, old := range g.compiled {
		if _, ok := next[key]; !ok {
			gone = append(gone, old)
			delete(g.rejected, key)
		}
	}
	if !changed && len(gone) == 0 && g.ready.Load() {
		g.metrics.reloads.WithLabelValues("unchanged").Inc()
		return nil
	}

	stages := make([]*router.Stage, 0, len(next))
	for _, st := range next {
		stages = append(stages, st)
	}
	g.router.Store(router.New(g.cfg.BaseDomain, stages))
	g.syncTargets(targetGroups(stages))
	g.compiled = next
	g.metrics.setStages(stages, gone)
	g.metrics.reloads.WithLabelValues("ok").Inc()
	g.logger.Info("config swapped", "stages", len(stages), "removed", len(gone))
	// Report the new versions now rather than at the next tick, so a deploy
	// converges quickly.
	select {
	case g.kick <- struct{}{}:
	default:
	}
	return nil
}

// heartbeats reports what the current router serves every
// HeartbeatInterval, and right after every swap, until ctx ends.
func (g *Gateway) heartbeats(ctx context.Context) {
	t := time.NewTicker(g.cfg.HeartbeatInterval)
	defer t.Stop()
	for {
		g.heartbeat(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-g.kick:
		}
	}
}

func (g *Gateway) heartbeat(ctx context.Context) {
	// Read the router that is published, so a heartbeat never claims a
	// deployment before requests can reach it.
	served := maps.Clone(g.router.Load().Served())
	hb := fleet.Heartbeat{
		GatewayID: g.cfg.GatewayID,
		Addr:      *g.addr.Load(),
		StartedAt: g.start,
		SeenAt:    time.Now(),
		Stages:    served,
	}
	hctx, cancel := context.WithTimeout(ctx, g.cfg.HeartbeatInterval)
	defer cancel()
	if err := g.bus.Heartbeat(hctx, hb, g.cfg.HeartbeatTTL); err != nil && ctx.Err() == nil {
		g.logger.Warn("sending heartbeat", "error", err)
	}
}
