// OpenKYC client for Node.js (18+): the Love&Pay KYC API v2 signature, sessions, the sandbox,
// the evidence API, webhook endpoints, and verification of incoming webhooks. No runtime
// dependency beyond Node's own crypto and fetch. Types: ./index.d.ts.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

const EMPTY = new Uint8Array(0);
const encoder = new TextEncoder();

/** hex(HMAC-SHA256(secret, METHOD + PATH + timestamp + sha256hex(body))), as the server checks. */
export function sign(secretKey, method, path, timestamp, body = EMPTY) {
  const bytes = typeof body === "string" ? encoder.encode(body) : body;
  const bodyHash = createHash("sha256").update(bytes).digest("hex");
  return createHmac("sha256", secretKey)
    .update(`${method.toUpperCase()}${path}${timestamp}${bodyHash}`)
    .digest("hex");
}

/** An error response: `status`, the stable `code`, `message`, `requestId`, `fields` (400). */
export class OpenKycApiError extends Error {
  constructor(status, code, message, requestId = null, fields = null) {
    super(`${status} ${code}: ${message}`);
    this.name = new.target.name;
    this.status = status;
    this.code = code;
    this.requestId = requestId;
    this.fields = fields;
  }
}
/** 401: missing headers, unknown key, bad signature, stale timestamp, replay. */
export class AuthenticationError extends OpenKycApiError {}
/** 403: inactive merchant, or a key without the scope (INSUFFICIENT_SCOPE). */
export class PermissionError extends OpenKycApiError {}
/** 400: `fields` names each rejected field. */
export class ValidationError extends OpenKycApiError {}
/** 404: unknown id, another merchant's, or a live key on a test-only call. */
export class NotFoundError extends OpenKycApiError {}
/** 409: the session's state does not allow it (already submitted, not final...). */
export class ConflictError extends OpenKycApiError {}
/** 429: `retryAfter` seconds. */
export class RateLimitError extends OpenKycApiError {}

const ERROR_CLASSES = {
  400: ValidationError,
  401: AuthenticationError,
  403: PermissionError,
  404: NotFoundError,
  409: ConflictError,
  429: RateLimitError,
};

export class OpenKycClient {
  /**
   * @param {{baseUrl: string, apiKey: string, secretKey: string, timeoutMs?: number, fetch?: Function}} options
   */
  constructor({ baseUrl, apiKey, secretKey, timeoutMs = 15000, fetch = globalThis.fetch }) {
    if (!baseUrl || !apiKey || !secretKey) {
      throw new TypeError("baseUrl, apiKey and secretKey are required");
    }
    this.baseUrl = baseUrl.replace(/\/+$/, "");
    this.apiKey = apiKey;
    this.secretKey = secretKey;
    this.timeoutMs = timeoutMs;
    this.fetch = fetch;
    this.lastTimestamp = 0;
  }

  // Strictly increasing milliseconds: two requests signed in one millisecond over the same
  // path and body would carry the same signature, and the server accepts one only once.
  timestamp() {
    this.lastTimestamp = Math.max(Date.now(), this.lastTimestamp + 1);
    return String(this.lastTimestamp);
  }

  signedHeaders(method, path, body = EMPTY) {
    const timestamp = this.timestamp();
    return {
      "x-api-key": this.apiKey,
      "x-timestamp": timestamp,
      "x-signature": sign(this.secretKey, method, path, timestamp, body),
    };
  }

  /** Send a signed request; resolves to the raw fetch Response (after the error check). */
  async send(method, path, { body, query, headers = {} } = {}) {
    const raw = body === undefined ? EMPTY : encoder.encode(JSON.stringify(body));
    const all = { ...this.signedHeaders(method, path, raw), ...headers };
    if (body !== undefined) all["content-type"] = "application/json";
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined && value !== null) search.set(key, String(value));
    }
    const url = `${this.baseUrl}${path}${search.size ? `?${search}` : ""}`;
    const response = await this.fetch(url, {
      method,
      headers: all,
      body: body === undefined ? undefined : raw,
      redirect: "manual",
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (response.ok) return response;
    let payload = {};
    try {
      payload = await response.json();
    } catch {
      // not JSON: the status speaks for itself
    }
    const error = payload && typeof payload.error === "object" ? payload.error : {};
    const ErrorClass = ERROR_CLASSES[response.status] ?? OpenKycApiError;
    const exc = new ErrorClass(
      response.status,
      String(error.code ?? "HTTP_ERROR"),
      String(error.message ?? response.statusText),
      error.requestId ?? response.headers.get("x-request-id"),
      error.fields ?? null,
    );
    if (exc instanceof RateLimitError) {
      const retry = response.headers.get("retry-after");
      exc.retryAfter = retry && /^\d+$/.test(retry) ? Number(retry) : null;
    }
    throw exc;
  }

  async request(method, path, options) {
    const response = await this.send(method, path, options);
    return response.json();
  }

  // --- sessions ---------------------------------------------------------------------------

  async createSession(fields = {}, { idempotencyKey } = {}) {
    const body = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
    const headers = idempotencyKey ? { "idempotency-key": idempotencyKey } : {};
    return (await this.request("POST", "/api/v2/kyc/sessions", { body, headers })).session;
  }

  async getSession(sessionId) {
    return (await this.request("GET", `/api/v2/kyc/sessions/${encodeURIComponent(sessionId)}`))
      .session;
  }

  async listSessions({ limit, offset, status } = {}) {
    const { data, pagination } = await this.request("GET", "/api/v2/kyc/sessions", {
      query: { limit, offset, status },
    });
    return { data, pagination };
  }

  /** Test keys only (extension): decide a test session now. */
  async simulate(sessionId, outcome, { declineReasons } = {}) {
    const body = declineReasons?.length ? { outcome, declineReasons } : { outcome };
    const path = `/api/v2/kyc/sessions/${encodeURIComponent(sessionId)}/simulate`;
    return (await this.request("POST", path, { body })).session;
  }

  /** Extension: erase a final session's personal data now; resolves to the receipt. */
  async eraseSession(sessionId) {
    const path = `/api/v2/kyc/sessions/${encodeURIComponent(sessionId)}`;
    return (await this.request("DELETE", path)).erasure;
  }

  /** Extension, `media` scope: the session's stored images (metadata). */
  async listMedia(sessionId) {
    const path = `/api/v2/kyc/sessions/${encodeURIComponent(sessionId)}/media`;
    return (await this.request("GET", path)).data;
  }

  /** Extension, `media` scope: one image, decrypted; `sha256` is checked before it returns. */
  async getMedia(sessionId, mediaId) {
    const path =
      `/api/v2/kyc/sessions/${encodeURIComponent(sessionId)}` +
      `/media/${encodeURIComponent(mediaId)}`;
    const response = await this.send("GET", path);
    const bytes = new Uint8Array(await response.arrayBuffer());
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    const announced = response.headers.get("x-content-sha256");
    if (announced && announced !== sha256) {
      throw new OpenKycApiError(response.status, "DIGEST_MISMATCH", "the image arrived damaged");
    }
    return { bytes, contentType: response.headers.get("content-type"), sha256 };
  }

  // --- webhook endpoints ------------------------------------------------------------------

  /** Resolves to the endpoint with its `secret` (shown this once). */
  async createWebhook({ url, events, secret } = {}) {
    const body = Object.fromEntries(
      Object.entries({ url, events, secret }).filter(([, v]) => v !== undefined),
    );
    return (await this.request("POST", "/api/v2/webhooks", { body })).webhook;
  }

  async listWebhooks() {
    return (await this.request("GET", "/api/v2/webhooks")).data;
  }

  async getWebhook(webhookId) {
    return (await this.request("GET", `/api/v2/webhooks/${encodeURIComponent(webhookId)}`))
      .webhook;
  }

  async updateWebhook(webhookId, changes) {
    const path = `/api/v2/webhooks/${encodeURIComponent(webhookId)}`;
    return (await this.request("PATCH", path, { body: changes })).webhook;
  }

  async deleteWebhook(webhookId) {
    await this.request("DELETE", `/api/v2/webhooks/${encodeURIComponent(webhookId)}`);
  }

  async listDeliveries(webhookId, { limit, offset } = {}) {
    const path = `/api/v2/webhooks/${encodeURIComponent(webhookId)}/deliveries`;
    const { data, pagination } = await this.request("GET", path, { query: { limit, offset } });
    return { data, pagination };
  }

  async resendDelivery(webhookId, deliveryId) {
    const path =
      `/api/v2/webhooks/${encodeURIComponent(webhookId)}` +
      `/deliveries/${encodeURIComponent(deliveryId)}/resend`;
    return (await this.request("POST", path)).delivery;
  }
}

// --- incoming webhooks --------------------------------------------------------------------

/** The request is not a genuine, fresh webhook: answer 400 and do not act on it. */
export class WebhookVerificationError extends Error {
  constructor(message) {
    super(message);
    this.name = "WebhookVerificationError";
  }
}

function constantTimeEqual(a, b) {
  const left = encoder.encode(a);
  const right = encoder.encode(b);
  // Compare equal lengths only (timingSafeEqual throws otherwise); the length is not secret.
  return left.length === right.length && timingSafeEqual(left, right);
}

function standardKey(secret) {
  if (secret.startsWith("whsec_")) {
    const encoded = secret.slice("whsec_".length);
    if (/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) && encoded.length % 4 === 0) {
      return Buffer.from(encoded, "base64");
    }
  }
  return encoder.encode(secret);
}

function lowerHeaders(headers) {
  const out = {};
  const entries =
    typeof headers?.entries === "function" ? headers.entries() : Object.entries(headers ?? {});
  for (const [key, value] of entries) {
    out[key.toLowerCase()] = Array.isArray(value) ? value.join(", ") : String(value);
  }
  return out;
}

export class WebhookVerifier {
  /** @param {string} secret the endpoint's `whsec_…` secret */
  constructor(secret, { toleranceSeconds = 300 } = {}) {
    if (!secret) throw new TypeError("the endpoint secret is required");
    this.secret = secret;
    this.toleranceSeconds = toleranceSeconds;
  }

  /**
   * The event, or WebhookVerificationError. `body` is the raw bytes (or string) as received,
   * never re-serialised JSON. Standard Webhooks headers are preferred (their timestamp is
   * signed); Love&Pay's `x-webhook-signature` is used when they are absent, with its
   * `x-webhook-timestamp` (ms, unsigned) held to the same window when present.
   */
  verify(body, headers, { now = Date.now() / 1000 } = {}) {
    const raw = typeof body === "string" ? encoder.encode(body) : new Uint8Array(body);
    const h = lowerHeaders(headers);
    if (h["webhook-signature"] !== undefined) {
      const id = h["webhook-id"] ?? "";
      const timestamp = h["webhook-timestamp"] ?? "";
      if (!id || !/^\d+$/.test(timestamp)) {
        throw new WebhookVerificationError("webhook-id and webhook-timestamp are required");
      }
      this.#fresh(Number(timestamp), now, "webhook-timestamp");
      const expected = createHmac("sha256", standardKey(this.secret))
        .update(encoder.encode(`${id}.${timestamp}.`))
        .update(raw)
        .digest("base64");
      const matched = h["webhook-signature"]
        .split(" ")
        .some((candidate) => {
          const [version, value = ""] = candidate.split(",", 2);
          return version === "v1" && constantTimeEqual(expected, value);
        });
      if (!matched) throw new WebhookVerificationError("webhook-signature does not match");
    } else if (h["x-webhook-signature"] !== undefined) {
      const sent = h["x-webhook-timestamp"];
      if (sent !== undefined && /^\d+$/.test(sent)) {
        this.#fresh(Number(sent) / 1000, now, "x-webhook-timestamp");
      }
      const expected = `sha256=${createHmac("sha256", this.secret).update(raw).digest("hex")}`;
      if (!constantTimeEqual(expected, h["x-webhook-signature"].trim().toLowerCase())) {
        throw new WebhookVerificationError("x-webhook-signature does not match");
      }
    } else {
      throw new WebhookVerificationError("no webhook signature header");
    }
    let event;
    try {
      event = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(raw));
    } catch {
      throw new WebhookVerificationError("the body is not JSON");
    }
    if (event === null || typeof event !== "object" || Array.isArray(event)) {
      throw new WebhookVerificationError("the body is not a JSON object");
    }
    return event;
  }

  #fresh(seconds, now, header) {
    if (Math.abs(now - seconds) > this.toleranceSeconds) {
      throw new WebhookVerificationError(`${header} is outside the allowed window`);
    }
  }
}
