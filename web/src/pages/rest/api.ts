// Typed calls for the REST API model (/v1/apis/{apiId}/resources, methods,
// integrations, request validators, models) and /v1/targetgroups.
import type { ApiClient } from '../../api/client';
import type { ListResponse } from '../../api/types';

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
