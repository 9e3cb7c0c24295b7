import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from '../../api/client';
import { App } from '../../App';
import { cleanup, findByTestId, render } from '../../test/dom';
import { createFakeApi } from '../../test/fakeApi';

afterEach(cleanup);

describe('public pages', () => {
  it.each([
    ['/accept-invite?token=abc', 'invite-form', false],
    ['/accept-invite?token=abc', 'invite-form', true],
    ['/signup', 'signup-form', false],
  ])('%s opens without a redirect to sign-in (signed in: %s)', async (path, testId, loggedIn) => {
    window.history.replaceState(null, '', path);
    const fake = createFakeApi({ loggedIn });
    await render(<App client={new ApiClient({ fetch: fake.fetch })} />);
    await findByTestId(testId);
    expect(window.location.pathname + window.location.search).toBe(path);
  });
});
