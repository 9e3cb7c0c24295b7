package iamimpl

import (
	"context"
	"sync"
	"time"

	"github.com/turnpike/turnpike/backend/db"
	"github.com/turnpike/turnpike/backend/iam"
)

// Sign-ups allowed per source address and window.
const (
	signupsPerWindow = 5
	signupWindow     = time.Hour
)

// InviteService implements iam.Invitations.
type InviteService struct {
	d       *db.DB
	svc     *Service
	tenants *TenantService
	st      *inviteStore
	signup  bool

	mu      sync.Mutex
	signups map[string][]time.Time
}

var _ iam.Invitations = (*InviteService)(nil)

// NewInviteService returns invitations and sign-up (refused unless
// signupEnabled) over the database.
func NewInviteService(d *db.DB, svc *Service, tenants *TenantService, signupEnabled bool) *InviteService {
	return &InviteService{d: d, svc: svc, tenants: tenants, st: &inviteStore{g: d.Gorm}, signup: signupEnabled,
		signups: map[string][]time.Time{}}
}

func newInvitationID() string { return "inv_" + randomString(16, lowerAlnum) }

// CreateInvitation implements iam.Invitations.
func (s *InviteService) CreateInvitation(ctx context.Context, cmd iam.CreateInvitationCommand) (*iam.CreatedInvitation, error) {
	if err := cmd.Validate(); err != nil {
		return nil, err
	}
	if _, err := s.svc.store.getUserByEmail(ctx, cmd.Email); err == nil {
		return nil, iam.ErrUserEmailTaken
	}
	now := s.svc.now()
	token := newSecret()
	inv := iam.Invitation{ID: newInvitationID(), TenantID: cmd.TenantID, Email: cmd.Email, InvitedBy: cmd.InvitedBy,
		Status: iam.InvitationPending, CreatedAt: now, ExpiresAt: now.Add(time.Duration(cmd.ExpiresInHours) * time.Hour)}
	if err := s.st.insert(ctx, &inv, hashToken(token)); err != nil {
		return nil, err
	}
	return &iam.CreatedInvitation{Invitation: inv, Token: token}, nil
}

// ListInvitations implements iam.Invitations.
func (s *InviteService) ListInvitations(ctx context.Context, tenantID string) ([]*iam.Invitation, error) {
	return s.st.list(ctx, tenantID)
}

// RevokeInvitation implements iam.Invitations.
func (s *InviteService) RevokeInvitation(ctx context.Context, tenantID, invitationID string) error {
	return s.st.revoke(ctx, tenantID, invitationID)
}

// AcceptInvitation implements iam.Invitations.
func (s *InviteService) AcceptInvitation(ctx context.Context, cmd iam.AcceptInvitationCommand) (*iam.LoginResult, error) {
	if cmd.Token == "" {
		return nil, iam.ErrInvitationUnusable
	}
	// Validate and hash before taking the invitation, so a bad password
	// does not use it up.
	probe := iam.CreateUserCommand{TenantID: "probe", Email: "probe@example.com", Name: cmd.Name, Password: cmd.Password}
	if err := probe.Validate(); err != nil {
		return nil, err
	}
	var res *iam.LoginResult
	err := s.d.RunInTx(ctx, func(ctx context.Context) error {
		inv, err := s.st.take(ctx, hashToken(cmd.Token), s.svc.now())
		if err != nil {
			return err
		}
		if inv == nil {
			return iam.ErrInvitationUnusable
		}
		u, err := s.svc.newUser(iam.CreateUserCommand{TenantID: inv.TenantID, Email: inv.Email, Name: cmd.Name, Password: cmd.Password})
		if err != nil {
			return err
		}
		if err := s.svc.store.insertUser(ctx, u); err != nil {
			return err
		}
		res, err = s.svc.Login(ctx, iam.LoginCommand{Email: inv.Email, Password: cmd.Password, SourceIP: cmd.SourceIP})
		return err
	})
	return res, err
}

// Signup implements iam.Invitations.
func (s *InviteService) Signup(ctx context.Context, cmd iam.SignupCommand) (*iam.LoginResult, error) {
	if !s.signup {
		return nil, iam.ErrSignupDisabled
	}
	if !s.allowSignup(cmd.SourceIP, s.svc.cfg.Now()) {
		return nil, iam.ErrSignupLimited
	}
	var res *iam.LoginResult
	err := s.d.RunInTx(ctx, func(ctx context.Context) error {
		if _, err := s.tenants.createTenantWithAdmin(ctx, iam.CreateTenantWithAdminCommand{Name: cmd.TenantName,
			AdminEmail: cmd.Email, AdminPassword: cmd.Password}, false); err != nil {
			return err
		}
		var err error
		res, err = s.svc.Login(ctx, iam.LoginCommand{Email: cmd.Email, Password: cmd.Password, SourceIP: cmd.SourceIP})
		return err
	})
	return res, err
}

// allowSignup counts sign-ups per address in a sliding window.
func (s *InviteService) allowSignup(ip string, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.signups) >= maxLimiterEntries {
		for k, ts := range s.signups {
			if len(ts) == 0 || now.Sub(ts[len(ts)-1]) > signupWindow {
				delete(s.signups, k)
			}
		}
	}
	kept := s.signups[ip][:0]
	for _, t := range s.signups[ip] {
		if now.Sub(t) < signupWindow {
			kept = append(kept, t)
		}
	}
	if len(kept) >= signupsPerWindow {
		s.signups[ip] = kept
		return false
	}
	s.signups[ip] = append(kept, now)
	return true
}
