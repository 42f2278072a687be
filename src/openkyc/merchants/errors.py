from openkyc.errors import NotFound, OpenKycError


class MerchantNotFound(NotFound):
    message = "Merchant not found"


class ApiKeyNotFound(NotFound):
    message = "API key not found"


class ApiKeyAlreadyRevoked(OpenKycError):
    http_status = 409
    code = "KEY_REVOKED"
    message = "API key is already revoked"
