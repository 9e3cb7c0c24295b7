import { useCallback, useEffect, useMemo, useState } from 'react';
import { ApiClient } from './api/client';
import type { Session } from './api/types';
import { Shell } from './components/Shell';
import { Banner, Button, EmptyState, Spinner, ToastProvider, errorMessage } from './components/ui';
import { matchPath, navigate, useLocation } from './lib/router';
import { AccessKeysPage } from './pages/AccessKeys';
import { ApiDetailPage } from './pages/ApiDetail';
import { ApisPage } from './pages/Apis';
import { AuditLogPage } from './pages/audit/AuditLog';
import { GatewaysPage } from './pages/Gateways';
import { LoginPage } from './pages/Login';
import { TargetGroupsPage } from './pages/rest/TargetGroups';
import { ChangePasswordPage } from './pages/iam/ChangePassword';
import { GroupsPage } from './pages/iam/Groups';
import { InvitationsPage } from './pages/iam/Invitations';
import { PoliciesPage } from './pages/iam/Policies';
import { RolesPage } from './pages/iam/Roles';
import { SimulatorPage } from './pages/iam/Simulator';
import { UsersPage } from './pages/iam/Users';
import { AcceptInvitePage } from './pages/invite/AcceptInvite';
import { SignupPage } from './pages/signup/Signup';
import { TenantsPage } from './pages/tenants/Tenants';
import { ApiKeysPage } from './pages/usage/ApiKeys';
import { UsagePlanDetailPage } from './pages/usage/UsagePlanDetail';
import { UsagePlansPage } from './pages/usage/UsagePlans';
import { SessionContext, type SessionContextValue } from './session';

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
        <Pages location={location} />
      </Shell>
    );
  }

  return (
    <SessionContext.Provider value={ctx}>
      <ToastProvider>{body}</ToastProvider>
    </SessionContext.Provider>
  );
}
