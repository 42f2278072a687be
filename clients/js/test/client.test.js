// The JavaScript client against a REAL OpenKYC (started by launch_server.py: real HTTP, real
// database, in-process worker delivering real webhooks to a receiver in this process).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";

import {
  AuthenticationError,
  NotFoundError,
  OpenKycApiError,
  OpenKycClient,
  PermissionError,
  ValidationError,
  WebhookVerificationError,
  WebhookVerifier,
  sign,
} from "../src/index.js";

const here = dirname(fileURLToPath(import.meta.url));
const python = process.env.OPENKYC_PYTHON ?? resolve(here, "../../../.venv/bin/python");

function freePort() {
  return new Promise((ok) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => ok(port));
    });
  });
}

let server;
let dataDir;
let info;

async function startServer() {
  const port = await freePort();
  dataDir = mkdtempSync(join(tmpdir(), "openkyc-js-"));
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith("OPENKYC_")),
  );
  server = spawn(python, [join(here, "launch_server.py"), String(port), dataDir], {
    env,
    cwd: dataDir,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: server.stdout });
  const first = await new Promise((ok, fail) => {
    server.once("exit", (code) => fail(new Error(`server exited with ${code}`)));
    lines.once("line", ok);
  });
  info = JSON.parse(first);
  const deadline = Date.now() + 60000;
  for (;;) {
    try {
      if ((await fetch(`${info.baseUrl}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error("OpenKYC did not start");
    await new Promise((ok) => setTimeout(ok, 100));
  }
}

function client(pair = info.test) {
  return new OpenKycClient({ baseUrl: info.baseUrl, apiKey: pair.apiKey, secretKey: pair.secretKey });
}

before(startServer, { timeout: 120000 });
after(() => {
  server?.kill("SIGTERM");
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe("signing", () => {
  test("matches the Love&Pay reference vectors", () => {
    const secret = "sk_test_example_secret";
    const body = '{"customerEmail":"client@example.com","customerPhone":"+79991234567","language":"ru"}';
    assert.equal(
      sign(secret, "POST", "/api/v2/kyc/sessions", "1706012345678", body),
      "6fb6736c30037609313db22e9dbbd7bc9ce121785f6c256c4477dc12af5bbeb4",
    );
    assert.equal(
      sign(secret, "get", "/api/v2/kyc/sessions/550e8400-e29b-41d4-a716-446655440000", "1706012345678"),
      "b44d37a3e0d150577b0d32a6cffc20e299ef32400ca408e06f3dc8362977f195",
    );
  });
});

describe("sessions", () => {
  test("create, get, list, simulate each outcome, erase", async () => {
    const kyc = client();
    const created = await kyc.createSession(
      { customerEmail: "client@example.com", customerId: "js-1", language: "kk" },
      { idempotencyKey: "js-order-1" },
    );
    assert.equal(created.status, "NOT_STARTED");
    assert.ok(created.verificationUrl.startsWith(`${info.baseUrl}/verify/`));
    const again = await kyc.createSession(
      { customerEmail: "client@example.com", customerId: "js-1", language: "kk" },
      { idempotencyKey: "js-order-1" },
    );
    assert.equal(again.id, created.id);

    const approved = await kyc.simulate(created.id, "approve");
    assert.equal(approved.status, "APPROVED");
    assert.equal(approved.verification.fullNameLatin, "Test Sandbox");
    assert.deepEqual(await kyc.getSession(created.id), approved);

    const declined = await kyc.simulate((await kyc.createSession()).id, "decline", {
      declineReasons: ["DOCUMENT_EXPIRED"],
    });
    assert.deepEqual([declined.status, declined.declineReasons], ["DECLINED", ["DOCUMENT_EXPIRED"]]);
    const waiting = await kyc.simulate((await kyc.createSession()).id, "review");
    assert.deepEqual([waiting.status, waiting.review.status], ["IN_PROGRESS", "PENDING"]);
    const expired = await kyc.simulate((await kyc.createSession()).id, "expire");
    assert.equal(expired.status, "EXPIRED");

    const page = await kyc.listSessions({ status: "APPROVED", limit: 10 });
    assert.equal(page.pagination.total, 1);
    assert.equal(page.data[0].id, created.id);

    const receipt = await kyc.eraseSession(created.id);
    assert.equal(typeof receipt, "object");
    const erased = await kyc.getSession(created.id);
    assert.deepEqual([erased.status, erased.verification], ["APPROVED", null]);
  });

  test("typed errors carry the code and the request id", async () => {
    const kyc = client();
    await assert.rejects(kyc.getSession("00000000-0000-4000-8000-000000000000"), (error) => {
      assert.ok(error instanceof NotFoundError);
      assert.ok(error instanceof OpenKycApiError);
      assert.equal(error.code, "NOT_FOUND");
      assert.equal(error.status, 404);
      assert.match(error.requestId, /\S+/);
      return true;
    });
    const open = await kyc.createSession();
    await assert.rejects(kyc.simulate(open.id, "win"), (error) => {
      assert.ok(error instanceof ValidationError);
      assert.deepEqual(Object.keys(error.fields), ["outcome"]);
      return true;
    });
    // A live key cannot reach the sandbox: 404, as for an unknown id.
    await assert.rejects(client(info.live).simulate(open.id, "approve"), NotFoundError);
    const forged = new OpenKycClient({
      baseUrl: info.baseUrl,
      apiKey: info.test.apiKey,
      secretKey: "sk_test_wrong",
    });
    await assert.rejects(forged.listSessions(), (error) => {
      assert.ok(error instanceof AuthenticationError);
      assert.equal(error.code, "INVALID_SIGNATURE");
      return true;
    });
  });
});

describe("evidence", () => {
  test("a media-scoped key lists and fetches decrypted images; others are refused", async () => {
    const reader = client(info.media);
    const items = await reader.listMedia(info.sessionWithMedia);
    assert.deepEqual(items.map((item) => item.kind).sort(), ["document_front", "selfie_frame"]);
    for (const item of items) {
      const image = await reader.getMedia(info.sessionWithMedia, item.id);
      assert.equal(image.contentType, "image/jpeg");
      assert.equal(image.bytes.length, item.size);
      assert.equal(createHash("sha256").update(image.bytes).digest("hex"), item.sha256);
      assert.deepEqual([...image.bytes.slice(0, 2)], [0xff, 0xd8]);
    }
    await assert.rejects(client().listMedia(info.sessionWithMedia), (error) => {
      assert.ok(error instanceof PermissionError);
      assert.equal(error.code, "INSUFFICIENT_SCOPE");
      return true;
    });
  });
});

describe("webhooks", () => {
  test("endpoints, deliveries, resend, and verification of both schemes", async () => {
    const received = [];
    const waiters = [];
    const receiver = createServer((request, response) => {
      const chunks = [];
      request.on("data", (chunk) => chunks.push(chunk));
      request.on("end", () => {
        received.push({ headers: request.headers, body: Buffer.concat(chunks) });
        response.end("ok");
        waiters.splice(0).forEach((wake) => wake());
      });
    });
    await new Promise((ok) => receiver.listen(0, "127.0.0.1", ok));
    const arrival = async (count) => {
      const deadline = Date.now() + 30000;
      while (received.length < count) {
        if (Date.now() > deadline) throw new Error("no webhook arrived");
        await new Promise((ok) => {
          waiters.push(ok);
          setTimeout(ok, 200);
        });
      }
      return received[count - 1];
    };
    try {
      const kyc = client();
      const url = `http://127.0.0.1:${receiver.address().port}/hook`;
      const endpoint = await kyc.createWebhook({ url, events: ["kyc.completed"] });
      assert.match(endpoint.secret, /^whsec_/);
      assert.equal((await kyc.listWebhooks()).length, 1);
      assert.equal((await kyc.getWebhook(endpoint.id)).secret, undefined);

      const session = await kyc.createSession({ customerId: "js-hook" });
      await kyc.simulate(session.id, "approve");
      const first = await arrival(1);
      const verifier = new WebhookVerifier(endpoint.secret);
      const event = verifier.verify(first.body, first.headers);
      assert.equal(event.event, "kyc.completed");
      assert.equal(event.data.id, session.id);
      assert.equal(event.data.status, "APPROVED");

      // Love&Pay's scheme alone (what a Love&Pay integration checks) also verifies.
      const lovePayOnly = Object.fromEntries(
        Object.entries(first.headers).filter(([key]) => !key.startsWith("webhook-")),
      );
      assert.equal(verifier.verify(first.body, lovePayOnly).id, event.id);
      // Tampered, wrong secret, replayed outside the window: refused.
      const tampered = Buffer.from(first.body.toString().replace("APPROVED", "DECLINED"));
      assert.throws(() => verifier.verify(tampered, first.headers), WebhookVerificationError);
      assert.throws(() => verifier.verify(tampered, lovePayOnly), WebhookVerificationError);
      assert.throws(
        () => new WebhookVerifier("whsec_b3RoZXI=").verify(first.body, first.headers),
        WebhookVerificationError,
      );
      const later = Number(first.headers["webhook-timestamp"]) + 301;
      assert.throws(
        () => verifier.verify(first.body, first.headers, { now: later }),
        /outside the allowed window/,
      );
      assert.throws(
        () => verifier.verify(first.body, lovePayOnly, { now: later }),
        /outside the allowed window/,
      );
      assert.throws(() => verifier.verify(first.body, {}), /no webhook signature/);

      const deliveries = await kyc.listDeliveries(endpoint.id);
      assert.equal(deliveries.pagination.total, 1);
      const resent = await kyc.resendDelivery(endpoint.id, deliveries.data[0].id);
      assert.equal(resent.eventId, event.id);
      const second = await arrival(2);
      assert.equal(verifier.verify(second.body, second.headers).id, event.id);

      const paused = await kyc.updateWebhook(endpoint.id, { active: false });
      assert.equal(paused.active, false);
      await kyc.deleteWebhook(endpoint.id);
      await assert.rejects(kyc.getWebhook(endpoint.id), NotFoundError);
    } finally {
      receiver.close();
    }
  });
});
