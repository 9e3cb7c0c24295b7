// Shapes of the management REST API (docs/rest-contract.md). All JSON is camelCase.

export interface User {
  userId: string;
  email: string;
  name: string;
}

export interface Tenant {
  tenantId: string;
  name: string;
}

export interface Session {
  user: User;
  tenant: Tenant;
  csrfToken: string;
  /** True for platform operators, who manage tenants (/v1/tenants). */
  platformOperator?: boolean;
}

export type AccessKeyStatus = 'ACTIVE' | 'INACTIVE';

export interface AccessKey {
  accessKeyId: string;
  name: string;
  status: AccessKeyStatus;
  createdAt: string;
  lastUsedAt?: string;
  lastUsedIp?: string;
}

/** Answer of POST /v1/iam/access-keys: the secret token is returned only once. */
export interface CreatedAccessKey extends AccessKey {
  token: string;
}

export type ProtocolType = 'HTTP' | 'REST';

export interface Api {
  apiId: string;
  name: string;
  description: string;
  protocolType: ProtocolType | string;
  apiEndpoint: string;
  createdAt: string;
  updatedAt: string;
}

export type IntegrationType = 'HTTP_PROXY' | 'MOCK';

export interface Integration {
  type: IntegrationType | string;
  uri: string;
  httpMethod?: string;
  timeoutInMillis?: number;
  mockStatusCode?: number;
  mockBody?: string;
}

/** A throttle as API Gateway names it. */
export interface Throttle {
  rateLimit: number;
  burstLimit: number;
}

export interface Route {
  routeId: string;
  routeKey: string;
  integration: Integration;
  /** Callers must send an API key of a usage plan for the stage. */
  apiKeyRequired?: boolean;
  /** The method throttle; absent when the stage's default applies. */
  throttle?: Throttle;
  /** NONE, or AWS_IAM: callers send a Turnpike access key allowed execute-api:Invoke. */
  authorizationType?: AuthorizationType;
  createdAt: string;
  updatedAt: string;
}

export type AuthorizationType = 'NONE' | 'AWS_IAM';

export type DeploymentStatus = 'PENDING' | 'IN_PROGRESS' | 'DEPLOYED' | 'FAILED';

export interface Stage {
  stageName: string;
  description: string;
  stageVariables: Record<string, string> | null;
  /** The stage's default throttle. */
  throttle?: Throttle;
  cacheClusterEnabled?: boolean;
  cacheClusterSize?: string;
  cacheTtlInSeconds?: number;
  methodSettings?: Record<string, MethodSetting>;
  accessLogSettings?: AccessLogSettings;
  deploymentId: string;
  invokeUrl: string;
  lastDeploymentStatus: DeploymentStatus | '' | string;
  createdAt: string;
  updatedAt: string;
}

/** A route's cache settings in a stage, by route key. */
export interface MethodSetting {
  cachingEnabled?: boolean;
  cacheTtlInSeconds?: number;
  cacheKeyParameters?: string[];
}

/** A stage's access log: a preset (CLF, JSON, XML, CSV) or $context format. */
export interface AccessLogSettings {
  format: string;
  destinationArn: string;
}

/** The cache fields a stage create or PATCH takes. */
export interface StageCacheSettings {
  cacheClusterEnabled?: boolean;
  cacheClusterSize?: string;
  cacheTtlInSeconds?: number;
  methodSettings?: Record<string, MethodSetting>;
}

export interface ProgressEntry {
  at: string;
  message: string;
}

export interface Deployment {
  deploymentId: string;
  stageName: string;
  description: string;
  status: DeploymentStatus;
  statusReason: string;
  progress: ProgressEntry[] | null;
  routeCount: number;
  createdAt: string;
  updatedAt: string;
  deployedAt?: string;
}

export interface Gateway {
  gatewayId: string;
  addr: string;
  startedAt: string;
  seenAt: string;
  /** "apiId/stage" → deploymentId */
  stages: Record<string, string> | null;
}

export interface FieldError {
  code: string;
  message: string;
}

export interface ErrorBody {
  code: string;
  message: string;
  details?: Record<string, FieldError>;
  requestId?: string;
}

export interface ListResponse<T> {
  items: T[];
}

export function isTerminal(status: DeploymentStatus | string): boolean {
  return status === 'DEPLOYED' || status === 'FAILED';
}
