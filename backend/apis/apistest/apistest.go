// Package apistest has fakes for the apis domain: deploy starters that
// record, fail, or run a deploy inline.
package apistest

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/turnpike/turnpike/backend/apis"
	"github.com/turnpike/turnpike/backend/db"
	"github.com/turnpike/turnpike/gateway/fleet"
	"github.com/turnpike/turnpike/workflows/deploy"
)

// FakeStarter records every Start and answers ExpectedError.
type FakeStarter struct {
	ExpectedError error

	mu      sync.Mutex
	started []deploy.Input
}

var _ apis.Starter = (*FakeStarter)(nil)

// Start implements apis.Starter.
func (f *FakeStarter) Start(_ context.Context, in deploy.Input) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.started = append(f.started, in)
	return f.ExpectedError
}

// Started returns the inputs of every Start so far.
func (f *FakeStarter) Started() []deploy.Input {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]deploy.Input(nil), f.started...)
}

// InlineStarter runs a deploy without Temporal, in a goroutine: compile,
// publish to the bus, mark deployed (or failed, putting the previous
// snapshot back). It skips waiting for the fleet. Delay is slept before
// each step so tests can watch the statuses go by.
type InlineStarter struct {
	Store deploy.Store
	Bus   fleet.Bus
	Delay time.Duration

	wg sync.WaitGroup
}

var _ apis.Starter = (*InlineStarter)(nil)

// Start implements apis.Starter.
func (s *InlineStarter) Start(ctx context.Context, in deploy.Input) error {
	ctx = context.WithoutCancel(ctx)
	s.wg.Go(func() { s.run(ctx, in) })
	return nil
}

// Wait waits for every deploy started so far.
func (s *InlineStarter) Wait() { s.wg.Wait() }

func (s *InlineStarter) run(ctx context.Context, in deploy.Input) {
	step := func(msg string) {
		time.Sleep(s.Delay)
		_ = s.Store.RecordProgress(ctx, in.TenantID, in.DeploymentID, msg)
	}
	fail := func(reason string) {
		if prev, err := s.Store.ActiveSnapshot(ctx, in.TenantID, in.APIID, in.StageName); err == nil {
			if prev != nil {
				_ = s.Bus.PutStage(ctx, prev)
			} else {
				_ = s.Bus.DeleteStage(ctx, in.APIID, in.StageName)
			}
		}
		_ = s.Store.MarkFailed(ctx, in.TenantID, in.DeploymentID, reason)
	}
	step("Compiling routes")
	snap, err := s.Store.CompileDeployment(ctx, in.TenantID, in.DeploymentID)
	if err != nil {
		_ = s.Store.MarkFailed(ctx, in.TenantID, in.DeploymentID, fmt.Sprintf("Compiling failed: %v", err))
		return
	}
	step(fmt.Sprintf("Publishing %d routes", len(snap.Routes)))
	if err := s.Bus.PutStage(ctx, snap); err != nil {
		fail(fmt.Sprintf("Publishing failed: %v", err))
		return
	}
	time.Sleep(s.Delay)
	if err := s.Store.MarkDeployed(ctx, in.TenantID, in.DeploymentID); err != nil {
		fail(fmt.Sprintf("Activating failed: %v", err))
	}
}

// InsertTenant adds a tenants row, which every apis row refers to.
func InsertTenant(d *db.DB, id string) error {
	now := time.Now().UTC()
	return d.Gorm.Exec("INSERT INTO tenants (id, name, status, created_at, updated_at) VALUES (?, ?, 'ACTIVE', ?, ?)",
		id, "tenant-"+id, now, now).Error
}
