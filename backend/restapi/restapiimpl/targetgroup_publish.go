package restapiimpl

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/turnpike/turnpike/backend/db"
	"github.com/turnpike/turnpike/gateway/fleet"
	"github.com/turnpike/turnpike/gateway/gwconfig"
)

// Option tunes the service.
type Option func(*Service)

// WithTargetGroupBus publishes every target group change on the fleet
// (after its transaction commits), so gateways update their pools without
// a redeploy of the APIs that use the group.
func WithTargetGroupBus(bus fleet.TenantBus, logger *slog.Logger) Option {
	return func(s *Service) {
		s.groups = bus
		if logger != nil {
			s.log = logger
		}
	}
}

// publishGroup schedules the publish of a tenant's group (nil: withdraw
// it) once ctx's transaction commits. A failed publish is logged; the
// start-up reconcile and the next deploy carry the group anyway.
func (s *Service) publishGroup(ctx context.Context, tenantID, id string, g *gwconfig.TargetGroup) {
	if s.groups == nil {
		return
	}
	db.AfterCommit(ctx, func() {
		pctx := context.WithoutCancel(ctx)
		var err error
		if g == nil {
			err = s.groups.DeleteTargetGroup(pctx, id)
		} else {
			err = s.groups.PutTargetGroup(pctx, g)
		}
		if err != nil {
			s.log.Error("publishing target group", "tenant", tenantID, "targetGroup", id, "error", err)
		}
	})
}

// ReconcileTargetGroups publishes every tenant's target groups and
// withdraws published groups that no longer exist, so the fleet holds
// exactly the database's groups after a start.
func (s *Service) ReconcileTargetGroups(ctx context.Context) error {
	if s.groups == nil {
		return nil
	}
	var rows []targetGroupRow
	if err := s.s.q(ctx).Order("id").Find(&rows).Error; err != nil {
		return fmt.Errorf("listing target groups: %w", err)
	}
	keep := make(map[string]bool, len(rows))
	for i := range rows {
		g, err := rows[i].toTargetGroup()
		if err != nil {
			return err
		}
		gw := toGatewayGroup(g.TenantID, g.ID, &g.TargetGroupCommand)
		if err := s.groups.PutTargetGroup(ctx, &gw); err != nil {
			return fmt.Errorf("publishing target group %s: %w", g.ID, err)
		}
		keep[g.ID] = true
	}
	published, err := s.groups.TargetGroups(ctx)
	if err != nil {
		return err
	}
	for _, g := range published {
		if !keep[g.ID] {
			if err := s.groups.DeleteTargetGroup(ctx, g.ID); err != nil {
				return fmt.Errorf("withdrawing target group %s: %w", g.ID, err)
			}
		}
	}
	return nil
}
