import { describe, expect, it } from 'vitest';
import {
  rowsToVariables,
  splitRouteKey,
  validateEmail,
  validateHttpUri,
  validateIntRange,
  validateRouteKey,
  validateStageName,
  validateVariableRows,
  variablesToRows,
} from './validate';

describe('validateRouteKey', () => {
  it.each([
    '$default',
    'GET /',
    'GET /pets',
    'POST /pets/{id}',
    'ANY /{proxy+}',
    'DELETE /pets/{petId}/toys/{toyId}',
    'GET /v1/items.json',
    'PUT /a-b_c~d',
    'GET /files/{path+}',
    'GET /items/{item.id}/{v-1}',
  ])('accepts %s', (key) => {
    expect(validateRouteKey(key)).toBeNull();
  });

  it.each([
    ['', /enter a route key/i],
    ['/pets', /METHOD \/path/],
    ['GET pets', /start with \//],
    ['FETCH /pets', /unknown method/i],
    ['get /pets', /unknown method/i],
    ['GET /pets/', /trailing/],
    ['GET //pets', /empty segment/],
    ['GET /pets/{id', /invalid path parameter/i],
    ['GET /pets/{}', /invalid path parameter/i],
    ['GET /pets/{a b}', /METHOD \/path/],
    ['GET /pets/{a$}', /invalid path parameter/i],
    ['GET /a+b', /invalid characters/i],
    ['GET /{proxy+}/more', /last segment/],
    ['GET /a/{id}/b/{id}', /used twice/],
    ['GET /pets?x=1', /invalid characters/i],
    ['GET  /pets', /METHOD \/path/],
    [' GET /pets', /spaces/],
  ])('rejects %j', (key, msg) => {
    expect(validateRouteKey(key)).toMatch(msg);
  });
});

describe('splitRouteKey', () => {
  it('splits method and path', () => {
    expect(splitRouteKey('GET /pets/{id}')).toEqual({ method: 'GET', path: '/pets/{id}' });
    expect(splitRouteKey('$default')).toEqual({ method: '', path: '$default' });
  });
});

describe('validateHttpUri', () => {
  it.each([
    'http://example.com',
    'https://api.example.com:8443/v1/pets/{id}',
    'https://${stageVariables.host}/pets',
    'http://127.0.0.1:9000/{proxy}',
  ])('accepts %s', (u) => {
    expect(validateHttpUri(u)).toBeNull();
  });

  it.each([
    ['', /enter the integration url/i],
    ['example.com', /http:\/\/ or https:\/\//],
    ['ftp://example.com', /http:\/\/ or https:\/\//],
    ['http://', /not a valid url/i],
    ['https://exa mple.com', /not a valid url|spaces/i],
  ])('rejects %j', (u, msg) => {
    expect(validateHttpUri(u)).toMatch(msg);
  });
});

describe('validateStageName', () => {
  it.each(['prod', 'dev-1', 'blue_green', 'A9'])('accepts %s', (s) => expect(validateStageName(s)).toBeNull());
  it.each(['', 'pro d', 'prod/1', 'é', '$default', 'x'.repeat(129)])('rejects %j', (s) =>
    expect(validateStageName(s)).not.toBeNull(),
  );
});

describe('other validators', () => {
  it('checks emails', () => {
    expect(validateEmail('a@b.c')).toBeNull();
    expect(validateEmail('')).toMatch(/enter/i);
    expect(validateEmail('nope')).toMatch(/valid/);
  });

  it('checks integer ranges and allows blank', () => {
    expect(validateIntRange('', 50, 30000, 'Timeout')).toBeNull();
    expect(validateIntRange('29000', 50, 30000, 'Timeout')).toBeNull();
    expect(validateIntRange('10', 50, 30000, 'Timeout')).toMatch(/between 50 and 30000/);
    expect(validateIntRange('1.5', 50, 30000, 'Timeout')).toMatch(/whole number/);
  });

  it('checks stage variable rows, including duplicates, and ignores blank rows', () => {
    const errs = validateVariableRows([
      { key: 'host', value: 'a' },
      { key: 'host', value: 'b' },
      { key: 'bad-name', value: '' },
      { key: '', value: '' },
      { key: '', value: 'orphan' },
    ]);
    expect(errs[0].key).toMatch(/twice/);
    expect(errs[1].key).toMatch(/twice/);
    expect(errs[2].key).toMatch(/letters, digits and _/);
    expect(errs[3]).toEqual({ key: null, value: null });
    expect(errs[4].key).toMatch(/enter a name/i);
  });

  it('converts between rows and variables', () => {
    const vars = { b: '2', a: '1' };
    const rows = variablesToRows(vars);
    expect(rows).toEqual([
      { key: 'a', value: '1' },
      { key: 'b', value: '2' },
    ]);
    expect(rowsToVariables([...rows, { key: '', value: '' }])).toEqual({ a: '1', b: '2' });
    expect(variablesToRows(null)).toEqual([]);
  });
});
