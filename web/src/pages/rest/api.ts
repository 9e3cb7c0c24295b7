// Typed calls for the REST API model (/v1/apis/{apiId}/resources, methods,
// integrations, request validators, models) and /v1/targetgroups.
import type { ApiClient } from '../../api/client';
import type { Api, ListResponse } from '../../api/types';

export const HTTP_METHODS = ['ANY', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

export interface Integration {
  type: 'HTTP_PROXY' | 'HTTP' | 'MOCK' | string;
  uri?: string;
  httpMethod?: string;
  timeoutInMillis?: number;
  requestParameters?: Record<string, string>;
  responseParameters?: Record<string, string>;
  requestTemplates?: Record<string, string>;
  tlsConfig?: { insecureSkipVerification: boolean };
  connectionType?: 'INTERNET' | 'VPC_LINK' | string;
  connectionId?: string;
  mockStatusCode?: number;
  mockBody?: string;
}

export interface MethodResponse {
  statusCode: string;
  responseParameters?: Record<string, boolean>;
  responseModels?: Record<string, string>;
}

export interface MethodSettings {
  authorizationType: string;
  apiKeyRequired: boolean;
  operationName?: string;
  requestParameters?: Record<string, boolean>;
  requestValidatorId?: string;
  requestModels?: Record<string, string>;
}

export interface Method extends MethodSettings {
  httpMethod: string;
  resourceId: string;
  methodIntegration?: Integration;
  methodResponses?: Record<string, MethodResponse>;
}

export interface Resource {
  id: string;
  apiId: string;
  parentId?: string;
  pathPart: string;
  path: string;
  resourceMethods?: Record<string, Method>;
}

export interface RequestValidator {
  id: string;
  name: string;
  validateRequestBody: boolean;
  validateRequestParameters: boolean;
}

export interface Model {
  id: string;
  name: string;
  description?: string;
  contentType: string;
  schema: unknown;
}

export interface Target {
  address: string;
}

export interface HealthCheck {
  path?: string;
  intervalSeconds?: number;
  timeoutSeconds?: number;
  healthyThreshold?: number;
  unhealthyThreshold?: number;
}

export interface TargetGroupInput {
  name: string;
  targets: Target[];
  healthCheck: HealthCheck;
  loadBalancing: 'ROUND_ROBIN' | 'LEAST_REQUESTS' | string;
}

export interface TargetGroup extends TargetGroupInput {
  id: string;
  createdAt: string;
  updatedAt: string;
}

export const ENDPOINT_TYPES = ['REGIONAL', 'PRIVATE', 'EDGE'] as const;

/** Where an API is served: REGIONAL (public), PRIVATE (allowed CIDRs only) or EDGE (served as REGIONAL). */
export interface EndpointConfiguration {
  types: string[];
  allowedSourceCidrs?: string[];
}

/** An API as GET answers it, with its endpoint configuration. */
export type ApiWithEndpoint = Api & { endpointConfiguration?: EndpointConfiguration };

const enc = encodeURIComponent;

/** The REST API model's calls over the console's client. */
export class RestApi {
  constructor(private readonly client: ApiClient) {}

  private base(apiId: string) {
    return `/v1/apis/${enc(apiId)}`;
  }

  async listResources(apiId: string): Promise<Resource[]> {
    return (await this.client.request<ListResponse<Resource>>('GET', `${this.base(apiId)}/resources`)).items;
  }
  createResource(apiId: string, parentId: string, pathPart: string): Promise<Resource> {
    return this.client.request('POST', `${this.base(apiId)}/resources`, { body: { parentId, pathPart } });
  }
  deleteResource(apiId: string, id: string): Promise<void> {
    return this.client.request('DELETE', `${this.base(apiId)}/resources/${enc(id)}`);
  }
  putMethod(apiId: string, resourceId: string, method: string, settings: MethodSettings): Promise<Method> {
    return this.client.request('PUT', `${this.base(apiId)}/resources/${enc(resourceId)}/methods/${enc(method)}`, {
      body: settings,
    });
  }
  deleteMethod(apiId: string, resourceId: string, method: string): Promise<void> {
    return this.client.request('DELETE', `${this.base(apiId)}/resources/${enc(resourceId)}/methods/${enc(method)}`);
  }
  putIntegration(apiId: string, resourceId: string, method: string, integration: Integration): Promise<Integration> {
    return this.client.request(
      'PUT',
      `${this.base(apiId)}/resources/${enc(resourceId)}/methods/${enc(method)}/integration`,
      { body: integration },
    );
  }
  putMethodResponse(
    apiId: string,
    resourceId: string,
    method: string,
    statusCode: string,
    r: Omit<MethodResponse, 'statusCode'>,
  ): Promise<MethodResponse> {
    return this.client.request(
      'PUT',
      `${this.base(apiId)}/resources/${enc(resourceId)}/methods/${enc(method)}/responses/${enc(statusCode)}`,
      { body: r },
    );
  }
  deleteMethodResponse(apiId: string, resourceId: string, method: string, statusCode: string): Promise<void> {
    return this.client.request(
      'DELETE',
      `${this.base(apiId)}/resources/${enc(resourceId)}/methods/${enc(method)}/responses/${enc(statusCode)}`,
    );
  }
  updateEndpoint(apiId: string, endpointConfiguration: EndpointConfiguration): Promise<ApiWithEndpoint> {
    return this.client.request('PATCH', this.base(apiId), { body: { endpointConfiguration } });
  }
  async listValidators(apiId: string): Promise<RequestValidator[]> {
    return (await this.client.request<ListResponse<RequestValidator>>('GET', `${this.base(apiId)}/requestvalidators`))
      .items;
  }
  createValidator(apiId: string, v: Omit<RequestValidator, 'id'>): Promise<RequestValidator> {
    return this.client.request('POST', `${this.base(apiId)}/requestvalidators`, { body: v });
  }
  deleteValidator(apiId: string, id: string): Promise<void> {
    return this.client.request('DELETE', `${this.base(apiId)}/requestvalidators/${enc(id)}`);
  }
  async listModels(apiId: string): Promise<Model[]> {
    return (await this.client.request<ListResponse<Model>>('GET', `${this.base(apiId)}/models`)).items;
  }
  createModel(apiId: string, m: Omit<Model, 'id'>): Promise<Model> {
    return this.client.request('POST', `${this.base(apiId)}/models`, { body: m });
  }
  deleteModel(apiId: string, name: string): Promise<void> {
    return this.client.request('DELETE', `${this.base(apiId)}/models/${enc(name)}`);
  }
  async listTargetGroups(): Promise<TargetGroup[]> {
    return (await this.client.request<ListResponse<TargetGroup>>('GET', '/v1/targetgroups')).items;
  }
  createTargetGroup(g: TargetGroupInput): Promise<TargetGroup> {
    return this.client.request('POST', '/v1/targetgroups', { body: g });
  }
  updateTargetGroup(id: string, g: TargetGroupInput): Promise<TargetGroup> {
    return this.client.request('PUT', `/v1/targetgroups/${enc(id)}`, { body: g });
  }
  deleteTargetGroup(id: string): Promise<void> {
    return this.client.request('DELETE', `/v1/targetgroups/${enc(id)}`);
  }
}

/** One "key = value" per line, the way mappings are edited. */
export function parseMappings(text: string): { map: Record<string, string>; error: string | null } {
  const map: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    const eq = line.indexOf('=');
    if (eq <= 0 || eq === line.length - 1) return { map, error: `Line ${i + 1}: write target = source` };
    map[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return { map, error: null };
}

export function formatMappings(m?: Record<string, string>): string {
  return Object.entries(m ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k} = ${v}`)
    .join('\n');
}

/** Required parameters as "method.request.querystring.x" lines; a trailing "?" marks optional. */
export function parseParams(text: string): { params: Record<string, boolean>; error: string | null } {
  const params: Record<string, boolean> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i].trim();
    if (!line) continue;
    let required = true;
    if (line.endsWith('?')) {
      required = false;
      line = line.slice(0, -1).trim();
    }
    if (!/^method\.request\.(querystring|header|path)\.[A-Za-z0-9_.~+-]+$/.test(line))
      return { params, error: `Line ${i + 1}: write method.request.{querystring|header|path}.name` };
    params[line] = required;
  }
  return { params, error: null };
}

export function formatParams(p?: Record<string, boolean>): string {
  return Object.entries(p ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, req]) => (req ? k : `${k}?`))
    .join('\n');
}

/** Validates a resource path part as the backend does. */
export function validatePathPart(part: string): string | null {
  if (!part) return 'Enter a path part';
  if (/^\{[A-Za-z0-9_.-]{1,64}\+?\}$/.test(part)) return null;
  if (/^[A-Za-z0-9._~:@!$&'()*,;=-]{1,128}$/.test(part)) return null;
  return 'Use a literal (letters, digits, ._-~), {name} or {name+}';
}

/** Checks an IPv4 or IPv6 CIDR the way netip.ParsePrefix would accept it. */
export function validateCidr(c: string): boolean {
  const slash = c.indexOf('/');
  if (slash <= 0) return false;
  const addr = c.slice(0, slash);
  const bits = c.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bits)) return false;
  const n = Number(bits);
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(addr)) {
    return n <= 32 && addr.split('.').every((o) => Number(o) <= 255 && (o === '0' || !o.startsWith('0')));
  }
  if (!addr.includes(':') || !/^[0-9A-Fa-f:.]+$/.test(addr) || n > 128) return false;
  const dbl = addr.split('::').length - 1;
  if (dbl > 1) return false;
  const groups = addr.split(':').filter((g) => g !== '');
  if (groups.some((g) => g.length > 4 && !g.includes('.'))) return false;
  return dbl === 1 ? groups.length < 8 : groups.length === 8;
}

/** The CIDR lines' problem, or null; a PRIVATE API needs at least one. */
export function validateCidrs(type: string, text: string): string | null {
  const lines = text
    .split(/[\n,]+/)
    .map((x) => x.trim())
    .filter(Boolean);
  if (type !== 'PRIVATE') return null;
  if (lines.length === 0) return 'A private API needs at least one allowed CIDR.';
  if (lines.length > 64) return 'At most 64 CIDRs.';
  const bad = lines.find((c) => !validateCidr(c));
  return bad ? `"${bad}" is not a CIDR such as 10.0.0.0/8.` : null;
}

export function parseCidrs(text: string): string[] {
  return text
    .split(/[\n,]+/)
    .map((x) => x.trim())
    .filter(Boolean);
}

/** One method response per line: "200", or "200 X-Request-Id, X-Version" with its response headers. */
export interface ResponseRow {
  statusCode: string;
  /** Response header names, comma-separated. */
  headers: string;
  /** The application/json model, '' for none. */
  model: string;
}

export function responseRows(m?: Record<string, MethodResponse>): ResponseRow[] {
  return Object.values(m ?? {})
    .sort((a, b) => a.statusCode.localeCompare(b.statusCode))
    .map((r) => ({
      statusCode: r.statusCode,
      headers: Object.keys(r.responseParameters ?? {})
        .map((k) => k.replace(/^method\.response\.header\./, ''))
        .join(', '),
      model: r.responseModels?.['application/json'] ?? '',
    }));
}

export function validateResponseRows(rows: ResponseRow[]): string | null {
  const seen = new Set<string>();
  for (const r of rows) {
    if (!/^[1-5]\d\d$/.test(r.statusCode.trim())) return `"${r.statusCode}" is not a status code 100-599.`;
    if (seen.has(r.statusCode.trim())) return `Status ${r.statusCode} is listed twice.`;
    seen.add(r.statusCode.trim());
    const bad = r.headers
      .split(',')
      .map((h) => h.trim())
      .find((h) => h && !/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(h));
    if (bad) return `"${bad}" is not a header name.`;
  }
  return null;
}

/** The PUT body of a response row. */
export function responseBody(r: ResponseRow): Omit<MethodResponse, 'statusCode'> {
  const headers = r.headers
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  return {
    responseParameters: headers.length
      ? Object.fromEntries(headers.map((h) => [`method.response.header.${h}`, false]))
      : undefined,
    responseModels: r.model ? { 'application/json': r.model } : undefined,
  };
}
