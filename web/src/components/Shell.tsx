// The application frame: left navigation, top bar with breadcrumbs, tenant and user menu.
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { Link, useLocation } from '../lib/router';
import { initials } from '../lib/format';
import { useSession } from '../session';
import { Icon, type IconName } from './icons';

export interface Crumb {
  label: string;
  to?: string;
}

const CrumbContext = createContext<(c: Crumb[]) => void>(() => {});

/** Sets the top bar's breadcrumbs while the calling page is mounted. */
export function useBreadcrumbs(crumbs: Crumb[]): void {
  const set = useContext(CrumbContext);
  const key = JSON.stringify(crumbs);
  useEffect(() => {
    set(JSON.parse(key) as Crumb[]);
  }, [key, set]);
}

interface NavItem {
  label: string;
  icon: IconName;
  to?: string;
  testId?: string;
  /** Path prefixes that mark this item active. */
  match?: string;
  /** Shown to platform operators only. */
  operatorOnly?: boolean;
}

const NAV: { section: string; items: NavItem[] }[] = [
  {
    section: 'API Gateway',
    items: [
      { label: 'APIs', icon: 'api', to: '/apis', testId: 'nav-apis', match: '/apis' },
      { label: 'Usage plans', icon: 'layers', to: '/usage-plans', testId: 'nav-usage-plans', match: '/usage-plans' },
      { label: 'API keys', icon: 'ticket', to: '/api-keys', testId: 'nav-api-keys', match: '/api-keys' },
      {
        label: 'Target groups',
        icon: 'server',
        to: '/target-groups',
        testId: 'nav-target-groups',
        match: '/target-groups',
      },
      { label: 'Custom domains', icon: 'globe' },
    ],
  },
  {
    section: 'Monitoring',
    items: [
      { label: 'Dashboards', icon: 'chart' },
      { label: 'Logs', icon: 'logs' },
      { label: 'Gateways', icon: 'server', to: '/gateways', testId: 'nav-gateways', match: '/gateways' },
    ],
  },
  {
    section: 'IAM',
    items: [
      {
        label: 'Access keys',
        icon: 'key',
        to: '/iam/access-keys',
        testId: 'nav-access-keys',
        match: '/iam/access-keys',
      },
      { label: 'Users', icon: 'users', to: '/iam/users', testId: 'nav-iam-users', match: '/iam/users' },
      { label: 'Groups', icon: 'users', to: '/iam/groups', testId: 'nav-iam-groups', match: '/iam/groups' },
      { label: 'Roles', icon: 'shield', to: '/iam/roles', testId: 'nav-iam-roles', match: '/iam/roles' },
      {
        label: 'Invitations',
        icon: 'users',
        to: '/iam/invitations',
        testId: 'nav-iam-invitations',
        match: '/iam/invitations',
      },
      { label: 'Policies', icon: 'shield', to: '/iam/policies', testId: 'nav-iam-policies', match: '/iam/policies' },
      {
        label: 'Policy simulator',
        icon: 'check',
        to: '/iam/simulator',
        testId: 'nav-iam-simulator',
        match: '/iam/simulator',
      },
      { label: 'Audit log', icon: 'logs', to: '/audit', testId: 'nav-audit', match: '/audit' },
    ],
  },
  {
    section: 'Platform',
    items: [
      { label: 'Tenants', icon: 'globe', to: '/tenants', testId: 'nav-tenants', match: '/tenants', operatorOnly: true },
    ],
  },
  { section: '', items: [{ label: 'Settings', icon: 'settings' }] },
];

function Sidebar() {
  const location = useLocation();
  const operator = !!useSession().session?.platformOperator;
  const nav = NAV.map((g) => ({ ...g, items: g.items.filter((i) => operator || !i.operatorOnly) })).filter(
    (g) => g.items.length,
  );
  return (
    <nav className="sidebar" aria-label="Main">
      <Link to="/apis" className="brand">
        <span className="brand-mark">
          <svg viewBox="0 0 32 32" width="22" height="22" aria-hidden="true">
            <rect width="32" height="32" rx="7" fill="currentColor" />
            <path d="M8 11h16M16 11v13" stroke="white" strokeWidth="3.5" strokeLinecap="round" />
          </svg>
        </span>
        Turnpike
      </Link>
      {nav.map((group, gi) => (
        <div className="nav-group" key={gi}>
          {group.section ? <div className="nav-section">{group.section}</div> : null}
          {group.items.map((item) =>
            item.to ? (
              <Link
                key={item.label}
                to={item.to}
                className={`nav-item${item.match && location.startsWith(item.match) ? ' active' : ''}`}
                data-testid={item.testId}
                aria-current={item.match && location.startsWith(item.match) ? 'page' : undefined}
              >
                <Icon name={item.icon} />
                {item.label}
              </Link>
            ) : (
              <span key={item.label} className="nav-item disabled" title="Coming soon" aria-disabled="true">
                <Icon name={item.icon} />
                {item.label}
                <span className="soon">soon</span>
              </span>
            ),
          )}
        </div>
      ))}
    </nav>
  );
}

function UserMenu() {
  const { session, signOut } = useSession();
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent) => {
      if (!ref.current?.contains(e.target as Node)) setOpen(false);
    };
    const esc = (e: KeyboardEvent) => e.key === 'Escape' && setOpen(false);
    document.addEventListener('mousedown', close);
    document.addEventListener('keydown', esc);
    return () => {
      document.removeEventListener('mousedown', close);
      document.removeEventListener('keydown', esc);
    };
  }, [open]);
  if (!session) return null;
  const { user } = session;
  return (
    <div className="user-menu" ref={ref}>
      <button
        className="user-button"
        data-testid="user-menu"
        aria-haspopup="menu"
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
      >
        <span className="avatar">{initials(user.name || user.email)}</span>
        <span className="user-email">{user.email}</span>
        <Icon name="chevronDown" size={14} />
      </button>
      {open ? (
        <div className="menu" role="menu">
          <div className="menu-header">
            <div className="menu-name">{user.name || user.email}</div>
            <div className="muted small">{user.email}</div>
          </div>
          <Link to="/iam/access-keys" className="menu-item" role="menuitem" onClick={() => setOpen(false)}>
            <Icon name="key" size={14} /> Security credentials
          </Link>
          <Link
            to="/account/password"
            className="menu-item"
            role="menuitem"
            data-testid="menu-change-password"
            onClick={() => setOpen(false)}
          >
            <Icon name="settings" size={14} /> Change password
          </Link>
          <button
            className="menu-item"
            role="menuitem"
            data-testid="sign-out"
            onClick={async () => {
              setOpen(false);
              await signOut();
            }}
          >
            <Icon name="logout" size={14} /> Sign out
          </button>
        </div>
      ) : null}
    </div>
  );
}

function TopBar({ crumbs }: { crumbs: Crumb[] }) {
  const { session } = useSession();
  return (
    <header className="topbar">
      <nav className="breadcrumbs" aria-label="Breadcrumb">
        {crumbs.map((c, i) => (
          <span key={i} className="crumb">
            {i > 0 ? <Icon name="chevronRight" size={13} className="crumb-sep" /> : null}
            {c.to && i < crumbs.length - 1 ? <Link to={c.to}>{c.label}</Link> : <span>{c.label}</span>}
          </span>
        ))}
      </nav>
      <div className="topbar-right">
        {session ? (
          <span className="tenant" title={`Tenant ${session.tenant.tenantId}`}>
            <span className="tenant-label">Tenant</span>
            <span data-testid="tenant-name">{session.tenant.name}</span>
          </span>
        ) : null}
        <UserMenu />
      </div>
    </header>
  );
}

export function Shell({ children }: { children: ReactNode }) {
  const [crumbs, setCrumbs] = useState<Crumb[]>([]);
  return (
    <CrumbContext.Provider value={setCrumbs}>
      <div className="app">
        <Sidebar />
        <div className="main">
          <TopBar crumbs={crumbs} />
          <main className="content">{children}</main>
        </div>
      </div>
    </CrumbContext.Provider>
  );
}
