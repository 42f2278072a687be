from openkyc.errors import NotFound, ValidationFailed


class EndpointNotFound(NotFound):
    message = "Webhook endpoint not found"


class DeliveryNotFound(NotFound):
    message = "Webhook delivery not found"


class UnsafeTarget(ValidationFailed):
    """The URL points somewhere a webhook must not go (private network, loopback...)."""

    def __init__(self, problem: str) -> None:
        super().__init__({"url": problem})
