package iamimpl

import (
	"context"

	"github.com/turnpike/turnpike/backend/iam"
)

var _ iam.PlatformOperators = (*TenantService)(nil)

func (s *TenantService) operators() *operatorStore { return &operatorStore{d: s.d} }

// ListPlatformOperators implements iam.PlatformOperators.
func (s *TenantService) ListPlatformOperators(ctx context.Context) ([]*iam.PlatformOperator, error) {
	return s.operators().list(ctx, "")
}

// AddPlatformOperator implements iam.PlatformOperators.
func (s *TenantService) AddPlatformOperator(ctx context.Context, userID string) (*iam.PlatformOperator, error) {
	var out *iam.PlatformOperator
	err := s.d.RunInTx(ctx, func(ctx context.Context) error {
		ok, err := s.operators().set(ctx, userID, true)
		if err != nil {
			return err
		}
		if !ok {
			return iam.ErrUserNotFound.Errorf("user %s", userID)
		}
		ops, err := s.operators().list(ctx, userID)
		if err != nil {
			return err
		}
		if len(ops) != 1 {
			return iam.ErrUserNotFound.Errorf("user %s has no tenant", userID)
		}
		out = ops[0]
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.svc.log.InfoContext(ctx, "platform operator added", "user", userID, "tenant", out.TenantID)
	return out, nil
}

// RemovePlatformOperator implements iam.PlatformOperators.
func (s *TenantService) RemovePlatformOperator(ctx context.Context, userID string) error {
	err := s.d.RunInTx(ctx, func(ctx context.Context) error {
		was, before, err := s.operators().removeUnlessLast(ctx, userID)
		switch {
		case err != nil:
			return err
		case !was:
			return iam.ErrUserNotFound.Errorf("user %s is not a platform operator", userID)
		case before <= 1:
			return iam.ErrLastOperator
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.svc.log.InfoContext(ctx, "platform operator removed", "user", userID)
	return nil
}
