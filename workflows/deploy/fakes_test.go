package deploy_test

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/turnpike/turnpike/gateway/fleet"
	"github.com/turnpike/turnpike/gateway/gwconfig"
	"github.com/turnpike/turnpike/workflows/deploy"
)

// fakeStore is an in-memory deploy.Store that records what the workflow
// did to it.
type fakeStore struct {
	mu sync.Mutex
	// compiled holds each deployment's snapshot, or compileErr fails it.
	compiled   map[string]*gwconfig.Stage
	compileErr error
	// active is the deployment each stage key points at.
	active map[string]string

	compileCalls int
	deployed     []string
	failed       map[string]string
	progress     []string
}

var _ deploy.Store = (*fakeStore)(nil)

func newFakeStore() *fakeStore {
	return &fakeStore{
		compiled: map[string]*gwconfig.Stage{},
		active:   map[string]string{},
		failed:   map[string]string{},
	}
}

func (f *fakeStore) addDeployment(s *gwconfig.Stage) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.compiled[s.DeploymentID] = s
}

func (f *fakeStore) activate(s *gwconfig.Stage) {
	f.addDeployment(s)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.active[s.Key()] = s.DeploymentID
}

func (f *fakeStore) CompileDeployment(_ context.Context, _, deploymentID string) (*gwconfig.Stage, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.compileCalls++
	if f.compileErr != nil {
		return nil, f.compileErr
	}
	s, ok := f.compiled[deploymentID]
	if !ok {
		return nil, errors.New("no such deployment")
	}
	c := *s
	return &c, nil
}

func (f *fakeStore) ActiveSnapshot(_ context.Context, _, apiID, stageName string) (*gwconfig.Stage, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	id, ok := f.active[gwconfig.StageKey(apiID, stageName)]
	if !ok {
		return nil, nil
	}
	c := *f.compiled[id]
	c.Revision = time.Now().UnixNano()
	return &c, nil
}

func (f *fakeStore) MarkDeployed(_ context.Context, _, deploymentID string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.compiled[deploymentID]
	f.active[s.Key()] = deploymentID
	f.deployed = append(f.deployed, deploymentID)
	return nil
}

func (f *fakeStore) MarkFailed(_ context.Context, _, deploymentID, reason string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failed[deploymentID] = reason
	return nil
}

func (f *fakeStore) RecordProgress(_ context.Context, _, _, message string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.progress = append(f.progress, message)
	return nil
}

func (f *fakeStore) snapshot() (deployed []string, failed map[string]string, progress []string, compileCalls int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	failed = map[string]string{}
	for k, v := range f.failed {
		failed[k] = v
	}
	return append([]string(nil), f.deployed...), failed, append([]string(nil), f.progress...), f.compileCalls
}

// fakeGateway loads every published stage and heartbeats what it serves,
// as a gateway does. Stuck gateways never load anything new.
type fakeGateway struct {
	id    string
	bus   fleet.Bus
	mu    sync.Mutex
	stuck bool
}

// sync reads the bus and heartbeats. The TTL is in real time and long: the
// test environment skips workflow time, not wall-clock time.
func (g *fakeGateway) sync(ctx context.Context) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	hb := fleet.Heartbeat{GatewayID: g.id, Stages: map[string]string{}}
	if g.stuck {
		gws, err := g.bus.Gateways(ctx)
		if err != nil {
			return err
		}
		for _, old := range gws {
			if old.GatewayID == g.id {
				hb.Stages = old.Stages
			}
		}
	} else {
		stages, err := g.bus.Stages(ctx)
		if err != nil {
			return err
		}
		for _, s := range stages {
			hb.Stages[s.Key()] = s.DeploymentID
		}
	}
	return g.bus.Heartbeat(ctx, hb, time.Minute)
}

func (g *fakeGateway) setStuck(stuck bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.stuck = stuck
}

// syncBus tells the gateways about every change synchronously, so a test
// does not race the workflow's mocked clock against goroutines.
type syncBus struct {
	fleet.Bus
	mu       sync.Mutex
	gateways []*fakeGateway
}

func (b *syncBus) addGateway(ctx context.Context, id string, stuck bool) *fakeGateway {
	g := &fakeGateway{id: id, bus: b.Bus, stuck: stuck}
	b.mu.Lock()
	b.gateways = append(b.gateways, g)
	b.mu.Unlock()
	if err := g.sync(ctx); err != nil {
		panic(err)
	}
	return g
}

func (b *syncBus) PutStage(ctx context.Context, s *gwconfig.Stage) error {
	if err := b.Bus.PutStage(ctx, s); err != nil {
		return err
	}
	return b.syncAll(ctx)
}

func (b *syncBus) DeleteStage(ctx context.Context, apiID, stageName string) error {
	if err := b.Bus.DeleteStage(ctx, apiID, stageName); err != nil {
		return err
	}
	return b.syncAll(ctx)
}

func (b *syncBus) syncAll(ctx context.Context) error {
	b.mu.Lock()
	gws := append([]*fakeGateway(nil), b.gateways...)
	b.mu.Unlock()
	for _, g := range gws {
		if err := g.sync(ctx); err != nil {
			return err
		}
	}
	return nil
}
