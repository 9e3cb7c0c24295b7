import { Suspense, lazy, useCallback, useEffect, useMemo, useState, type ComponentType } from 'react';
import { ApiClient } from './api/client';
import type { Session } from './api/types';
import { Shell } from './components/Shell';
import { Banner, Button, EmptyState, Spinner, ToastProvider, errorMessage } from './components/ui';
import { matchPath, navigate, useLocation } from './lib/router';
import { ApisPage } from './pages/Apis';
import { LoginPage } from './pages/Login';
import { AcceptInvitePage } from './pages/invite/AcceptInvite';
import { SignupPage } from './pages/signup/Signup';
import { SessionContext, type SessionContextValue } from './session';

// Pages past the APIs list load on first visit, so signing in fetches only
// what the first screen needs.
function lazyPage<M extends { [k in K]: ComponentType<never> }, K extends string>(
  load: () => Promise<M>,
  name: K,
): M[K] {
  const page = async () => ({ default: (await load())[name] as unknown as ComponentType<object> });
  return lazy(page) as unknown as M[K];
}

const AccessKeysPage = lazyPage(() => import('./pages/AccessKeys'), 'AccessKeysPage');
const ApiDetailPage = lazyPage(() => import('./pages/ApiDetail'), 'ApiDetailPage');
const AuditLogPage = lazyPage(() => import('./pages/audit/AuditLog'), 'AuditLogPage');
const GatewaysPage = lazyPage(() => import('./pages/Gateways'), 'GatewaysPage');
const TargetGroupsPage = lazyPage(() => import('./pages/rest/TargetGroups'), 'TargetGroupsPage');
const ChangePasswordPage = lazyPage(() => import('./pages/iam/ChangePassword'), 'ChangePasswordPage');
const GroupsPage = lazyPage(() => import('./pages/iam/Groups'), 'GroupsPage');
const InvitationsPage = lazyPage(() => import('./pages/iam/Invitations'), 'InvitationsPage');
const PoliciesPage = lazyPage(() => import('./pages/iam/Policies'), 'PoliciesPage');
const RolesPage = lazyPage(() => import('./pages/iam/Roles'), 'RolesPage');
const SimulatorPage = lazyPage(() => import('./pages/iam/Simulator'), 'SimulatorPage');
const UsersPage = lazyPage(() => import('./pages/iam/Users'), 'UsersPage');
const TenantsPage = lazyPage(() => import('./pages/tenants/Tenants'), 'TenantsPage');
const ApiKeysPage = lazyPage(() => import('./pages/usage/ApiKeys'), 'ApiKeysPage');
const UsagePlanDetailPage = lazyPage(() => import('./pages/usage/UsagePlanDetail'), 'UsagePlanDetailPage');
const UsagePlansPage = lazyPage(() => import('./pages/usage/UsagePlans'), 'UsagePlansPage');

/** Pages anyone may open, signed in or not: sign-up and accepting an invitation. */
export function publicPage(location: string) {
  if (matchPath('/signup', location)) return <SignupPage />;
  if (matchPath('/accept-invite', location)) return <AcceptInvitePage />;
  return null;
}

/** Path to the login page that returns to `location` afterwards. */
export function loginPath(location: string): string {
  const path = location.split('?')[0];
  return path === '/' || path.startsWith('/login') ? '/login' : `/login?next=${encodeURIComponent(location)}`;
}

function Pages({ location }: { location: string }) {
  let m;
  if ((m = matchPath('/apis', location))) return <ApisPage />;
  if ((m = matchPath('/apis/:apiId/:tab?', location)))
    return <ApiDetailPage key={m.apiId} apiId={m.apiId} tab={m.tab ?? 'routes'} />;
  if (matchPath('/account/password', location)) return <ChangePasswordPage />;
  if (matchPath('/iam/users', location)) return <UsersPage />;
  if (matchPath('/iam/groups', location)) return <GroupsPage />;
  if (matchPath('/iam/policies', location)) return <PoliciesPage />;
  if (matchPath('/iam/simulator', location)) return <SimulatorPage />;
  if (matchPath('/iam/roles', location)) return <RolesPage />;
  if (matchPath('/iam/invitations', location)) return <InvitationsPage />;
  if (matchPath('/tenants', location)) return <TenantsPage />;
  if (matchPath('/iam/access-keys', location) || matchPath('/iam', location)) return <AccessKeysPage />;
  if (matchPath('/gateways', location)) return <GatewaysPage />;
  if (matchPath('/audit', location)) return <AuditLogPage />;
  if (matchPath('/target-groups', location)) return <TargetGroupsPage />;
  if (matchPath('/api-keys', location)) return <ApiKeysPage />;
  if (matchPath('/usage-plans', location)) return <UsagePlansPage />;
  if ((m = matchPath('/usage-plans/:planId', location)))
    return <UsagePlanDetailPage key={m.planId} planId={m.planId} />;
  return (
    <div className="card">
      <EmptyState
        icon="alert"
        title="Page not found"
        action={
          <Button variant="primary" onClick={() => navigate('/apis')}>
            Go to APIs
          </Button>
        }
      >
        Nothing lives at <span className="mono">{location}</span>.
      </EmptyState>
    </div>
  );
}

export function App({ client: injected }: { client?: ApiClient }) {
  const client = useMemo(() => injected ?? new ApiClient(), [injected]);
  const [session, setSession] = useState<Session | null>(null);
  const [restoring, setRestoring] = useState(true);
  const [restoreError, setRestoreError] = useState<unknown>(null);
  const location = useLocation();

  const restore = useCallback(async () => {
    setRestoring(true);
    setRestoreError(null);
    try {
      setSession(await client.me());
    } catch (e) {
      setRestoreError(e);
    } finally {
      setRestoring(false);
    }
  }, [client]);

  useEffect(() => {
    void restore();
  }, [restore]);

  // Any 401 ends the session and returns to the login page.
  useEffect(() => {
    client.onUnauthorized = () => {
      setSession(null);
      navigate(loginPath(window.location.pathname + window.location.search), { replace: true });
    };
    return () => {
      client.onUnauthorized = undefined;
    };
  }, [client]);

  const signOut = useCallback(async () => {
    try {
      await client.logout();
    } catch {
      // Signing out locally is what matters; the cookie expires anyway.
    }
    setSession(null);
    navigate('/login', { replace: true });
  }, [client]);

  const ctx = useMemo<SessionContextValue>(
    () => ({ client, session, setSession, signOut }),
    [client, session, signOut],
  );

  const onLogin = location.startsWith('/login');
  const open = publicPage(location);
  const onPublic = open !== null;
  useEffect(() => {
    if (restoring || restoreError || onPublic) return;
    if (!session && !onLogin) navigate(loginPath(location), { replace: true });
    else if (session && onLogin) navigate('/apis', { replace: true });
    else if (session && location.split('?')[0] === '/') navigate('/apis', { replace: true });
  }, [restoring, restoreError, session, onLogin, onPublic, location]);

  let body;
  if (restoring) {
    body = (
      <div className="fullscreen-center">
        <Spinner size={24} label="Loading" />
      </div>
    );
  } else if (restoreError) {
    body = (
      <div className="fullscreen-center">
        <div style={{ maxWidth: 440 }}>
          <Banner kind="error" title="Could not reach Turnpike" onRetry={restore}>
            {errorMessage(restoreError)}
          </Banner>
        </div>
      </div>
    );
  } else if (open) {
    body = open;
  } else if (!session || onLogin) {
    body = <LoginPage />;
  } else {
    body = (
      <Shell>
        <Suspense
          fallback={
            <div className="fullscreen-center">
              <Spinner size={24} label="Loading" />
            </div>
          }
        >
          <Pages location={location} />
        </Suspense>
      </Shell>
    );
  }

  return (
    <SessionContext.Provider value={ctx}>
      <ToastProvider>{body}</ToastProvider>
    </SessionContext.Provider>
  );
}
