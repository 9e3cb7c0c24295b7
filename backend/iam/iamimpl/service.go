// Package iamimpl implements iam.Service over the database.
package iamimpl

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/alexedwards/argon2id"

	"github.com/turnpike/turnpike/backend/db"
	"github.com/turnpike/turnpike/backend/iam"
	"github.com/turnpike/turnpike/backend/iam/lockout"
	"github.com/turnpike/turnpike/backend/reqctx"
)

// Config tunes the service; zero values take the defaults.
type Config struct {
	// Logger receives security events (lockouts, bootstrap). Never tokens
	// or passwords.
	Logger *slog.Logger
	// SessionTTL is how long a console session lasts; default 12h.
	SessionTTL time.Duration
	// PasswordParams are the argon2id parameters for new password hashes;
	// default OWASP's (19 MiB, 2 iterations, 1 lane). Existing hashes carry
	// their own parameters.
	PasswordParams *argon2id.Params
	// MaxLoginFailures failed logins for one email and address within 15
	// minutes lock that pair out for LoginLockout; defaults 5 and 1 minute.
	MaxLoginFailures int
	LoginLockout     time.Duration
	// LoginLimiter counts the failures; default in-process with the policy
	// above. A fleet passes a Redis one (lockout.New), so that the lockout
	// holds on every replica.
	LoginLimiter lockout.Limiter
	// LastUsedInterval is the least time between two writes of an access
	// key's last use; default 1 minute.
	LastUsedInterval time.Duration
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// DefaultPasswordParams are OWASP's minimum argon2id parameters.
var DefaultPasswordParams = &argon2id.Params{Memory: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// Service implements iam.Service.
type Service struct {
	store   store
	cfg     Config
	log     *slog.Logger
	limiter lockout.Limiter

	dummyOnce sync.Once
	dummyHash string

	// lastUsed remembers when each key's last use was written, so that
	// concurrent requests on one replica write at most once per interval.
	lastUsedMu sync.Mutex
	lastUsed   map[string]time.Time
}

var _ iam.Service = (*Service)(nil)

// New returns the service over a migrated database.
func New(d *db.DB, cfg Config) *Service {
	return newService(newGormStore(d), cfg)
}

func newService(st store, cfg Config) *Service {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 12 * time.Hour
	}
	if cfg.PasswordParams == nil {
		cfg.PasswordParams = DefaultPasswordParams
	}
	if cfg.MaxLoginFailures <= 0 {
		cfg.MaxLoginFailures = 5
	}
	if cfg.LoginLockout <= 0 {
		cfg.LoginLockout = time.Minute
	}
	if cfg.LastUsedInterval <= 0 {
		cfg.LastUsedInterval = time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.LoginLimiter == nil {
		cfg.LoginLimiter = lockout.NewMemory(LoginPolicy(cfg), cfg.Now)
	}
	return &Service{
		store:    st,
		cfg:      cfg,
		log:      cfg.Logger.With("component", "iam"),
		limiter:  cfg.LoginLimiter,
		lastUsed: map[string]time.Time{},
	}
}

// LoginPolicy is the lockout policy of sign-ins under cfg (defaults
// applied), for building a shared limiter.
func LoginPolicy(cfg Config) lockout.Policy {
	p := lockout.Policy{Max: cfg.MaxLoginFailures, Window: 15 * time.Minute, Lockout: cfg.LoginLockout}
	if p.Max <= 0 {
		p.Max = 5
	}
	if p.Lockout <= 0 {
		p.Lockout = time.Minute
	}
	return p
}

// now is the clock in UTC at the precision both databases keep.
func (s *Service) now() time.Time { return s.cfg.Now().UTC().Truncate(time.Microsecond) }

// CreateTenant implements iam.Service.
func (s *Service) CreateTenant(ctx context.Context, cmd iam.CreateTenantCommand) (*iam.Tenant, error) {
	if err := cmd.Validate(); err != nil {
		return nil, err
	}
	now := s.now()
	t := &iam.Tenant{ID: newTenantID(), Name: cmd.Name, Status: iam.TenantActive, CreatedAt: now, UpdatedAt: now}
	if err := s.store.insertTenant(ctx, t); err != nil {
		return nil, err
	}
	return t, nil
}

// GetTenant implements iam.Service.
func (s *Service) GetTenant(ctx context.Context, q iam.GetTenantQuery) (*iam.Tenant, error) {
	return s.store.getTenant(ctx, q.TenantID)
}

// CreateUser implements iam.Service.
func (s *Service) CreateUser(ctx context.Context, cmd iam.CreateUserCommand) (*iam.User, error) {
	u, err := s.newUser(cmd)
	if err != nil {
		return nil, err
	}
	if err := s.store.insertUser(ctx, u); err != nil {
		return nil, err
	}
	return u, nil
}

// newUser validates cmd and hashes the password (slow: outside any
// transaction).
func (s *Service) newUser(cmd iam.CreateUserCommand) (*iam.User, error) {
	if err := cmd.Validate(); err != nil {
		return nil, err
	}
	hash, err := argon2id.CreateHash(cmd.Password, s.cfg.PasswordParams)
	if err != nil {
		return nil, fmt.Errorf("hashing password: %w", err)
	}
	now := s.now()
	roles := append([]string(nil), cmd.Roles...)
	return &iam.User{ID: newUserID(), TenantID: cmd.TenantID, Email: cmd.Email, Name: cmd.Name, PasswordHash: hash,
		Status: iam.UserActive, Roles: dedupe(roles), CreatedAt: now, UpdatedAt: now}, nil
}

// GetUser implements iam.Service.
func (s *Service) GetUser(ctx context.Context, q iam.GetUserQuery) (*iam.User, error) {
	return s.store.getUser(ctx, q.TenantID, q.UserID)
}

// Login implements iam.Service.
func (s *Service) Login(ctx context.Context, cmd iam.LoginCommand) (*iam.LoginResult, error) {
	if err := cmd.Validate(); err != nil {
		return nil, err
	}
	key := cmd.Email + "\x00" + cmd.SourceIP
	d, err := s.limiter.Attempt(ctx, key)
	if err != nil {
		return nil, err
	}
	if !d.Allowed {
		s.log.WarnContext(ctx, "login refused: too many failures", "email", cmd.Email, "ip", cmd.SourceIP)
		return nil, s.accountError(ctx, cmd.Email, nil, iam.ErrTooManyAttempts)
	}
	u, err := s.store.getUserByEmail(ctx, cmd.Email)
	if errors.Is(err, iam.ErrUserNotFound) {
		// Spend the same time as for a real user, so response times do
		// not tell which emails exist.
		_, _ = argon2id.ComparePasswordAndHash(cmd.Password, s.dummy())
		return nil, iam.ErrInvalidCredentials.Errorf("no user with this email")
	}
	if err != nil {
		return nil, err
	}
	ok, err := argon2id.ComparePasswordAndHash(cmd.Password, u.PasswordHash)
	if err != nil {
		return nil, fmt.Errorf("comparing password of user %s: %w", u.ID, err)
	}
	if !ok {
		return nil, s.accountError(ctx, "", u, iam.ErrInvalidCredentials.Errorf("wrong password for user %s", u.ID))
	}
	t, err := s.activeTenantUser(ctx, u)
	if errors.Is(err, iam.ErrTenantSuspended) {
		// The password was right: say why, rather than "incorrect".
		return nil, s.accountError(ctx, "", u, err)
	}
	if err != nil {
		return nil, s.accountError(ctx, "", u, iam.ErrInvalidCredentials.Errorf("login of user %s: %w", u.ID, err))
	}
	if err := s.limiter.Reset(ctx, key); err != nil {
		return nil, err
	}

	now := s.now()
	token := newSecret()
	ses := &iam.Session{ID: newSessionID(), TenantID: u.TenantID, UserID: u.ID, CSRFToken: newSecret(),
		CreatedAt: now, ExpiresAt: now.Add(s.cfg.SessionTTL)}
	if err := s.store.insertSession(ctx, ses, hashToken(token)); err != nil {
		return nil, err
	}
	return &iam.LoginResult{
		Identity:     iam.Identity{User: u, Tenant: t, CSRFToken: ses.CSRFToken},
		SessionToken: token,
		ExpiresAt:    ses.ExpiresAt,
	}, nil
}

// accountError names the account of a refused sign-in (u, or the user of
// email if there is one) so the audit entry goes to its tenant.
func (s *Service) accountError(ctx context.Context, email string, u *iam.User, err error) error {
	if u == nil {
		var lerr error
		if u, lerr = s.store.getUserByEmail(ctx, email); lerr != nil {
			return err
		}
	}
	return &iam.AccountError{TenantID: u.TenantID, UserID: u.ID, Email: u.Email, Err: err}
}

// dummy is a hash of a random password with the current parameters.
func (s *Service) dummy() string {
	s.dummyOnce.Do(func() {
		h, err := argon2id.CreateHash(newSecret(), s.cfg.PasswordParams)
		if err != nil {
			panic(fmt.Sprintf("hashing dummy password: %v", err))
		}
		s.dummyHash = h
	})
	return s.dummyHash
}

// activeTenantUser checks that u and its tenant are active and returns the
// tenant.
func (s *Service) activeTenantUser(ctx context.Context, u *iam.User) (*iam.Tenant, error) {
	if u.Status != iam.UserActive {
		return nil, fmt.Errorf("user %s is %s", u.ID, u.Status)
	}
	t, err := s.store.getTenant(ctx, u.TenantID)
	if err != nil {
		return nil, err
	}
	if t.Status == iam.TenantSuspended {
		return nil, iam.ErrTenantSuspended.Errorf("tenant %s is suspended", t.ID)
	}
	if t.Status != iam.TenantActive {
		return nil, fmt.Errorf("tenant %s is %s", t.ID, t.Status)
	}
	return t, nil
}

// Logout implements iam.Service.
func (s *Service) Logout(ctx context.Context, token string) error {
	if token == "" {
		return nil
	}
	ses, err := s.store.getSessionByTokenHash(ctx, hashToken(token))
	if errors.Is(err, iam.ErrInvalidSession) {
		return nil
	}
	if err != nil {
		return err
	}
	return s.store.revokeSession(ctx, ses.TenantID, ses.ID, s.now())
}

// GetIdentity implements iam.Service.
func (s *Service) GetIdentity(ctx context.Context, q iam.GetIdentityQuery) (*iam.Identity, error) {
	u, err := s.store.getUser(ctx, q.TenantID, q.UserID)
	if err != nil {
		return nil, err
	}
	t, err := s.store.getTenant(ctx, q.TenantID)
	if err != nil {
		return nil, err
	}
	id := &iam.Identity{User: u, Tenant: t}
	if q.SessionID != "" {
		ses, err := s.store.getSession(ctx, q.TenantID, q.SessionID)
		if err != nil {
			return nil, err
		}
		id.CSRFToken = ses.CSRFToken
	}
	return id, nil
}

// AuthenticateSession implements iam.Service.
func (s *Service) AuthenticateSession(ctx context.Context, token string) (*iam.SessionAuth, error) {
	if token == "" {
		return nil, iam.ErrInvalidSession
	}
	ses, err := s.store.getSessionByTokenHash(ctx, hashToken(token))
	if err != nil {
		return nil, err
	}
	if !ses.Valid(s.now()) {
		return nil, iam.ErrInvalidSession.Errorf("session %s expired or revoked", ses.ID)
	}
	u, err := s.store.getUser(ctx, ses.TenantID, ses.UserID)
	if err != nil {
		return nil, iam.ErrInvalidSession.Errorf("user of session %s: %w", ses.ID, err)
	}
	t, err := s.activeTenantUser(ctx, u)
	if errors.Is(err, iam.ErrTenantSuspended) {
		return nil, err
	}
	if err != nil {
		return nil, iam.ErrInvalidSession.Errorf("session %s: %w", ses.ID, err)
	}
	p := principal(t, u)
	p.SessionID = ses.ID
	return &iam.SessionAuth{Principal: p, CSRFToken: ses.CSRFToken}, nil
}

// principal builds the request principal of u in t.
func principal(t *iam.Tenant, u *iam.User) *reqctx.Principal {
	return &reqctx.Principal{TenantID: t.ID, TenantName: t.Name, UserID: u.ID, Email: u.Email, Roles: u.Roles}
}

// AuthenticateAccessKey implements iam.Service.
func (s *Service) AuthenticateAccessKey(ctx context.Context, token, sourceIP string) (*reqctx.Principal, error) {
	if token == "" {
		return nil, iam.ErrInvalidToken
	}
	k, err := s.store.getAccessKeyByTokenHash(ctx, hashToken(token))
	if err != nil {
		return nil, err
	}
	now := s.now()
	if k.Status != iam.AccessKeyActive || k.Expired(now) {
		return nil, iam.ErrInvalidToken.Errorf("access key %s is %s or expired", k.ID, k.Status)
	}
	u, err := s.store.getUser(ctx, k.TenantID, k.UserID)
	if err != nil {
		return nil, iam.ErrInvalidToken.Errorf("user of access key %s: %w", k.ID, err)
	}
	t, err := s.activeTenantUser(ctx, u)
	if errors.Is(err, iam.ErrTenantSuspended) {
		return nil, err
	}
	if err != nil {
		return nil, iam.ErrInvalidToken.Errorf("access key %s: %w", k.ID, err)
	}
	if s.lastUseDue(k, now) {
		if err := s.store.touchAccessKey(ctx, k.TenantID, k.ID, now, sourceIP); err != nil {
			// Bookkeeping only: the request itself may go on.
			s.log.WarnContext(ctx, "recording access key use failed", "accessKey", k.ID, "err", err)
		}
	}
	p := principal(t, u)
	p.AccessKeyID = k.ID
	return p, nil
}

// lastUseDue reports whether k's last use should be written now, and if so
// reserves the write for this replica.
func (s *Service) lastUseDue(k *iam.AccessKey, now time.Time) bool {
	every := s.cfg.LastUsedInterval
	if k.LastUsedAt != nil && now.Sub(*k.LastUsedAt) < every {
		return false
	}
	s.lastUsedMu.Lock()
	defer s.lastUsedMu.Unlock()
	if at, ok := s.lastUsed[k.ID]; ok && now.Sub(at) < every {
		return false
	}
	if len(s.lastUsed) >= maxLimiterEntries {
		for id, at := range s.lastUsed {
			if now.Sub(at) >= every {
				delete(s.lastUsed, id)
			}
		}
	}
	s.lastUsed[k.ID] = now
	return true
}

// CreateAccessKey implements iam.Service.
func (s *Service) CreateAccessKey(ctx context.Context, cmd iam.CreateAccessKeyCommand) (*iam.CreatedAccessKey, error) {
	var created *iam.CreatedAccessKey
	err := s.store.withTx(ctx, func(st store) error {
		var err error
		created, err = s.createAccessKey(ctx, st, cmd)
		return err
	})
	return created, err
}

func (s *Service) createAccessKey(ctx context.Context, st store, cmd iam.CreateAccessKeyCommand) (*iam.CreatedAccessKey, error) {
	now := s.now()
	if err := cmd.Validate(now); err != nil {
		return nil, err
	}
	if _, err := st.getUser(ctx, cmd.TenantID, cmd.UserID); err != nil {
		return nil, err
	}
	token := cmd.Token
	if token == "" {
		token = newAccessKeyToken()
	}
	var expires *time.Time
	if cmd.ExpiresAt != nil {
		e := cmd.ExpiresAt.UTC().Truncate(time.Microsecond)
		expires = &e
	}
	k := iam.AccessKey{ID: newAccessKeyID(), TenantID: cmd.TenantID, UserID: cmd.UserID, Name: cmd.Name,
		Status: iam.AccessKeyActive, CreatedAt: now, UpdatedAt: now, ExpiresAt: expires}
	if err := st.insertAccessKey(ctx, &k, hashToken(token)); err != nil {
		return nil, err
	}
	if cmd.SessionPolicy != "" {
		if err := insertSessionPolicy(ctx, st, &k, cmd.SessionPolicy); err != nil {
			return nil, err
		}
	}
	return &iam.CreatedAccessKey{AccessKey: k, Token: token}, nil
}

// ListAccessKeys implements iam.Service.
func (s *Service) ListAccessKeys(ctx context.Context, q iam.ListAccessKeysQuery) ([]*iam.AccessKey, error) {
	return s.store.listAccessKeys(ctx, q.TenantID)
}

// GetAccessKey implements iam.Service.
func (s *Service) GetAccessKey(ctx context.Context, q iam.GetAccessKeyQuery) (*iam.AccessKey, error) {
	return s.store.getAccessKey(ctx, q.TenantID, q.AccessKeyID)
}

// UpdateAccessKey implements iam.Service.
func (s *Service) UpdateAccessKey(ctx context.Context, cmd iam.UpdateAccessKeyCommand) (*iam.AccessKey, error) {
	if err := cmd.Validate(); err != nil {
		return nil, err
	}
	var k *iam.AccessKey
	err := s.store.withTx(ctx, func(st store) error {
		var err error
		k, err = st.getAccessKey(ctx, cmd.TenantID, cmd.AccessKeyID)
		if err != nil {
			return err
		}
		if cmd.Name != nil {
			k.Name = *cmd.Name
		}
		if cmd.Status != nil {
			k.Status = *cmd.Status
		}
		k.UpdatedAt = s.now()
		return st.updateAccessKey(ctx, k)
	})
	if err != nil {
		return nil, err
	}
	return k, nil
}

// DeleteAccessKey implements iam.Service.
func (s *Service) DeleteAccessKey(ctx context.Context, cmd iam.DeleteAccessKeyCommand) error {
	return s.store.deleteAccessKey(ctx, cmd.TenantID, cmd.AccessKeyID)
}

func dedupe(xs []string) []string {
	seen := make(map[string]bool, len(xs))
	out := xs[:0]
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}
