// Types of the OpenKYC Node.js client (src/index.js).

export type SessionStatus = "NOT_STARTED" | "IN_PROGRESS" | "APPROVED" | "DECLINED" | "EXPIRED";
export type SimulatedOutcome = "approve" | "decline" | "review" | "retake" | "expire";
export type WebhookEventName =
  | "kyc.completed"
  | "kyc.failed"
  | "kyc.started"
  | "kyc.expired"
  | "kyc.review";

export interface Verification {
  firstName: string | null;
  lastName: string | null;
  middleName?: string | null;
  fullName: string | null;
  /** Extension: the Latin (MRZ) form beside Cyrillic names. */
  firstNameLatin: string | null;
  lastNameLatin: string | null;
  middleNameLatin?: string | null;
  fullNameLatin: string | null;
  dateOfBirth: string | null;
  documentType: string | null;
  documentNumber?: string | null;
  documentCountry: string | null;
  documentIssuedAt?: string | null;
  documentExpiresAt?: string | null;
  faceMatchScore: number | null;
  livenessScore: number | null;
  verifiedAt: string | null;
}

/** Extension: present while a person must decide. */
export interface ReviewState {
  status: "PENDING";
  since: string;
}

export interface Session {
  id: string;
  sessionId: string;
  status: SessionStatus;
  verificationUrl?: string;
  invoiceId: string | null;
  customerId: string | null;
  customerEmail: string | null;
  customerPhone: string | null;
  verification?: Verification | null;
  review?: ReviewState | null;
  declineReasons?: string[];
  expiresAt?: string;
  createdAt: string;
}

export interface Pagination {
  total: number;
  limit: number;
  offset: number;
  pages: number;
}

export interface Page<T> {
  data: T[];
  pagination: Pagination;
}

export interface CreateSessionFields {
  customerEmail?: string;
  customerPhone?: string;
  customerId?: string;
  invoiceId?: string;
  callbackUrl?: string;
  language?: "ru" | "en" | "kk";
}

export interface ErasureReceipt {
  [field: string]: unknown;
}

export interface MediaItem {
  id: string;
  kind: "document_front" | "document_back" | "selfie_frame";
  attempt: number;
  index: number;
  contentType: string;
  size: number;
  sha256: string;
  capturedAt: string;
}

export interface MediaContent {
  bytes: Uint8Array;
  contentType: string | null;
  sha256: string;
}

export interface WebhookEndpoint {
  id: string;
  url: string;
  events: WebhookEventName[];
  active: boolean;
  /** Only in the response that created it. */
  secret?: string;
  [field: string]: unknown;
}

export interface WebhookDelivery {
  id: string;
  eventId: string;
  status: string;
  [field: string]: unknown;
}

export interface WebhookEvent {
  id: string;
  event: WebhookEventName;
  timestamp: string;
  data: Session;
  partnerId?: string;
  retryCount?: number;
  test?: boolean;
}

export type FetchLike = (url: string, init: Record<string, unknown>) => Promise<unknown>;

export interface ClientOptions {
  baseUrl: string;
  apiKey: string;
  secretKey: string;
  timeoutMs?: number;
  fetch?: FetchLike;
}

export function sign(
  secretKey: string,
  method: string,
  path: string,
  timestamp: string,
  body?: Uint8Array | string,
): string;

export class OpenKycApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly requestId: string | null;
  /** Each rejected field and why (400). */
  readonly fields: Record<string, string> | null;
}
export class AuthenticationError extends OpenKycApiError {}
export class PermissionError extends OpenKycApiError {}
export class ValidationError extends OpenKycApiError {}
export class NotFoundError extends OpenKycApiError {}
export class ConflictError extends OpenKycApiError {}
export class RateLimitError extends OpenKycApiError {
  retryAfter: number | null;
}

export class OpenKycClient {
  constructor(options: ClientOptions);
  signedHeaders(method: string, path: string, body?: Uint8Array): Record<string, string>;
  request(
    method: string,
    path: string,
    options?: { body?: unknown; query?: Record<string, unknown>; headers?: Record<string, string> },
  ): Promise<any>;
  createSession(fields?: CreateSessionFields, options?: { idempotencyKey?: string }): Promise<Session>;
  getSession(sessionId: string): Promise<Session>;
  listSessions(query?: { limit?: number; offset?: number; status?: SessionStatus }): Promise<Page<Session>>;
  simulate(
    sessionId: string,
    outcome: SimulatedOutcome,
    options?: { declineReasons?: string[] },
  ): Promise<Session>;
  eraseSession(sessionId: string): Promise<ErasureReceipt>;
  listMedia(sessionId: string): Promise<MediaItem[]>;
  getMedia(sessionId: string, mediaId: string): Promise<MediaContent>;
  createWebhook(options: {
    url: string;
    events?: WebhookEventName[];
    secret?: string;
  }): Promise<WebhookEndpoint>;
  listWebhooks(): Promise<WebhookEndpoint[]>;
  getWebhook(webhookId: string): Promise<WebhookEndpoint>;
  updateWebhook(
    webhookId: string,
    changes: { url?: string; events?: WebhookEventName[]; secret?: string; active?: boolean },
  ): Promise<WebhookEndpoint>;
  deleteWebhook(webhookId: string): Promise<void>;
  listDeliveries(
    webhookId: string,
    query?: { limit?: number; offset?: number },
  ): Promise<Page<WebhookDelivery>>;
  resendDelivery(webhookId: string, deliveryId: string): Promise<WebhookDelivery>;
}

export class WebhookVerificationError extends Error {}

export type HeadersLike =
  | Record<string, string | string[] | undefined>
  | { entries(): Iterable<[string, string]> };

export class WebhookVerifier {
  constructor(secret: string, options?: { toleranceSeconds?: number });
  verify(body: Uint8Array | string, headers: HeadersLike, options?: { now?: number }): WebhookEvent;
}
