package usageimpl

import (
	"context"
	"slices"

	"github.com/turnpike/turnpike/backend/db"
	"github.com/turnpike/turnpike/backend/usage"
	"github.com/turnpike/turnpike/gateway/gwconfig"
)

// DropAPIStages removes from the tenant's usage plans the API stages of a
// deleted API (stageName "") or stage. It runs inside the delete's
// transaction (the APIs service calls it from its delete hook), so a plan
// never names a stage that no longer exists; the changed plans reach the
// fleet after the transaction commits.
func (s *Service) DropAPIStages(ctx context.Context, tenantID, apiID, stageName string) error {
	var changed []*usage.UsagePlan
	err := s.store.inTx(ctx, func(tx store) error {
		plans, err := tx.listPlans(ctx, tenantID)
		if err != nil {
			return err
		}
		for _, p := range plans {
			kept := slices.DeleteFunc(slices.Clone(p.APIStages), func(st gwconfig.PlanAPIStage) bool {
				return st.APIID == apiID && (stageName == "" || st.Stage == stageName)
			})
			if len(kept) == len(p.APIStages) {
				continue
			}
			p.APIStages = kept
			p.UpdatedAt = s.now().UTC()
			if err := tx.updatePlan(ctx, p); err != nil {
				return err
			}
			changed = append(changed, p)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(changed) == 0 {
		return nil
	}
	db.AfterCommit(ctx, func() {
		pctx := context.WithoutCancel(ctx)
		for _, p := range changed {
			if err := s.publishPlan(pctx, p); err != nil {
				// The next start's reconcile carries it.
				s.log.ErrorContext(pctx, "republishing a usage plan after an API stage was deleted", "plan", p.ID, "error", err)
			}
		}
	})
	return nil
}
