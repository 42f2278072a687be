// Compiled by `npm run typecheck` (tsc --noEmit): the declarations describe a real integration.
import {
  NotFoundError,
  OpenKycClient,
  WebhookVerifier,
  type Session,
  type WebhookEvent,
} from "../src/index.js";

export async function integration(body: Uint8Array, headers: Record<string, string>) {
  const kyc = new OpenKycClient({ baseUrl: "http://127.0.0.1:8000", apiKey: "pk", secretKey: "sk" });
  const created: Session = await kyc.createSession({ customerId: "order-1", language: "kk" });
  const decided = await kyc.simulate(created.id, "decline", { declineReasons: ["UNDERAGE"] });
  const reasons: string[] | undefined = decided.declineReasons;
  const page = await kyc.listSessions({ limit: 10, status: "APPROVED" });
  const total: number = page.pagination.total;
  const media = await kyc.listMedia(created.id);
  const image = await kyc.getMedia(created.id, media[0].id);
  const size: number = image.bytes.length;
  try {
    await kyc.getSession("missing");
  } catch (error) {
    if (error instanceof NotFoundError) {
      const code: string = error.code;
      const requestId: string | null = error.requestId;
      return { code, requestId };
    }
  }
  const event: WebhookEvent = new WebhookVerifier("whsec_x").verify(body, headers);
  // @ts-expect-error an outcome the sandbox does not know
  await kyc.simulate(created.id, "win");
  return { reasons, total, size, event, waiting: decided.review?.since };
}
