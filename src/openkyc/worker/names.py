"""Job names: what enqueuers and the queue agree on (ids are the only arguments)."""

VERIFY_SESSION = "openkyc.verify_session"
DELIVER_WEBHOOK = "openkyc.deliver_webhook"
