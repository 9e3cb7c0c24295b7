package iamimpl

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/turnpike/turnpike/backend/apierr"
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

	// dir resolves and grants an invitation's groups and policies; nil
	// refuses invitations that name any.
	dir SSODirectory

	mu      sync.Mutex
	signups map[string][]time.Time
}

// InviteOption configures an InviteService.
type InviteOption func(*InviteService)

// WithInviteDirectory lets invitations name the tenant's groups and
// policies, given to the user on accepting.
func WithInviteDirectory(dir SSODirectory) InviteOption {
	return func(s *InviteService) { s.dir = dir }
}

var _ iam.Invitations = (*InviteService)(nil)

// NewInviteService returns invitations and sign-up (refused unless
// signupEnabled) over the database.
func NewInviteService(d *db.DB, svc *Service, tenants *TenantService, signupEnabled bool, opts ...InviteOption) *InviteService {
	s := &InviteService{d: d, svc: svc, tenants: tenants, st: &inviteStore{g: d.Gorm}, signup: signupEnabled,
		signups: map[string][]time.Time{}}
	for _, o := range opts {
		o(s)
	}
	return s
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
	groupIDs, policyIDs, err := s.resolveGrants(ctx, cmd)
	if err != nil {
		return nil, err
	}
	now := s.svc.now()
	token := newSecret()
	inv := iam.Invitation{ID: newInvitationID(), TenantID: cmd.TenantID, Email: cmd.Email, InvitedBy: cmd.InvitedBy,
		Status: iam.InvitationPending, CreatedAt: now, ExpiresAt: now.Add(time.Duration(cmd.ExpiresInHours) * time.Hour),
		GroupIDs: groupIDs, PolicyIDs: policyIDs}
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
		// Refused before the user exists; the rollback keeps the link usable
		// once the tenant is resumed.
		if _, err := s.invitingTenant(ctx, inv); err != nil {
			return err
		}
		u, err := s.svc.newUser(iam.CreateUserCommand{TenantID: inv.TenantID, Email: inv.Email, Name: cmd.Name, Password: cmd.Password})
		if err != nil {
			return err
		}
		if err := s.svc.store.insertUser(ctx, u); err != nil {
			return err
		}
		if err := s.grant(ctx, inv, u.ID); err != nil {
			return err
		}
		res, err = s.svc.Login(ctx, iam.LoginCommand{Email: inv.Email, Password: cmd.Password, SourceIP: cmd.SourceIP})
		return err
	})
	return res, err
}

// LookupInvitation implements iam.Invitations.
func (s *InviteService) LookupInvitation(ctx context.Context, token string) (*iam.InvitationPreview, error) {
	if token == "" {
		return nil, iam.ErrInvitationNotFound
	}
	inv, err := s.st.pending(ctx, hashToken(token), s.svc.now())
	if err != nil {
		return nil, err
	}
	if inv == nil {
		return nil, iam.ErrInvitationNotFound
	}
	t, err := s.invitingTenant(ctx, inv)
	if err != nil {
		return nil, err
	}
	return &iam.InvitationPreview{TenantName: t.Name, Email: inv.Email, ExpiresAt: inv.ExpiresAt, Status: inv.Status}, nil
}

// invitingTenant loads the invitation's tenant; a suspended tenant answers
// 403 tenant.suspended, as its other calls do, and a gone one not-found.
func (s *InviteService) invitingTenant(ctx context.Context, inv *iam.Invitation) (*iam.Tenant, error) {
	t, err := s.svc.store.getTenant(ctx, inv.TenantID)
	if isNotFound(err) {
		return nil, iam.ErrInvitationNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("loading the invitation's tenant: %w", err)
	}
	if t.Status == iam.TenantSuspended {
		return nil, iam.ErrTenantSuspended.Errorf("invitation %s of suspended tenant %s", inv.ID, t.ID)
	}
	return t, nil
}

// resolveGrants finds the command's groups and policies (by id or name) in
// the tenant and returns their ids; each one not found is a 422 detail
// (groups[i], policies[i]).
func (s *InviteService) resolveGrants(ctx context.Context, cmd iam.CreateInvitationCommand) (groupIDs, policyIDs []string, err error) {
	if len(cmd.Groups) == 0 && len(cmd.Policies) == 0 {
		return nil, nil, nil
	}
	f := apierr.NewFields(iam.ErrInvitationInvalid)
	if s.dir == nil {
		f.Add("groups", "unsupported", "This server cannot grant groups or policies with invitations.")
		return nil, nil, f.Err()
	}
	if len(cmd.Groups) > 0 {
		groups, err := s.dir.ListGroups(ctx, cmd.TenantID)
		if err != nil {
			return nil, nil, err
		}
		groupIDs = resolveNames(f, "groups", "group", cmd.Groups, groups, func(g *iam.Group) (string, string) { return g.ID, g.Name })
	}
	if len(cmd.Policies) > 0 {
		policies, err := s.dir.ListPolicies(ctx, cmd.TenantID)
		if err != nil {
			return nil, nil, err
		}
		policyIDs = resolveNames(f, "policies", "policy", cmd.Policies, policies, func(p *iam.Policy) (string, string) { return p.ID, p.Name })
	}
	if err := f.Err(); err != nil {
		return nil, nil, err
	}
	return groupIDs, policyIDs, nil
}

// resolveNames returns the ids of the items that names name (by id or
// name), each once, and records a field problem for each name not found.
func resolveNames[T any](f *apierr.Fields, field, noun string, names []string, items []T, key func(T) (id, name string)) []string {
	var ids []string
	for i, n := range names {
		j := slices.IndexFunc(items, func(it T) bool { id, name := key(it); return id == n || name == n })
		if j < 0 {
			f.Add(fmt.Sprintf("%s[%d]", field, i), "not-found", "No "+noun+" of this tenant has this id or name.")
			continue
		}
		if id, _ := key(items[j]); !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids
}

// grant puts the new user in the invitation's groups and attaches its
// policies, in the transaction of ctx. A group or policy deleted since the
// invitation was made is skipped (and logged), so the link still works.
func (s *InviteService) grant(ctx context.Context, inv *iam.Invitation, userID string) error {
	if len(inv.GroupIDs) == 0 && len(inv.PolicyIDs) == 0 {
		return nil
	}
	if s.dir == nil {
		return fmt.Errorf("invitation %s grants groups or policies and no directory is configured", inv.ID)
	}
	for _, g := range inv.GroupIDs {
		err := s.dir.AddUserToGroup(ctx, inv.TenantID, g, userID)
		if isNotFound(err) {
			s.svc.log.WarnContext(ctx, "invited group no longer exists", "invitation", inv.ID, "group", g)
			continue
		}
		if err != nil {
			return err
		}
	}
	for _, p := range inv.PolicyIDs {
		err := s.dir.AttachPolicy(ctx, inv.TenantID, iam.PrincipalRef{Type: iam.PrincipalUser, ID: userID}, p)
		if isNotFound(err) {
			s.svc.log.WarnContext(ctx, "invited policy no longer exists", "invitation", inv.ID, "policy", p)
			continue
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// isNotFound reports a 404 answer of the directory.
func isNotFound(err error) bool {
	e, ok := errors.AsType[*apierr.Error](err)
	return ok && e.Status == http.StatusNotFound
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
