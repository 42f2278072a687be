"""The worked vectors of the Love&Pay reference are contract: if these fail, integrations break."""

from openkyc.api.signing import EMPTY_BODY_SHA256, body_hash, sign, signature_matches

SECRET = "sk_test_example_secret"
TS = "1706012345678"
BODY = b'{"customerEmail":"client@example.com","customerPhone":"+79991234567","language":"ru"}'


def test_post_vector_body_hash_and_signature() -> None:
    assert body_hash(BODY) == "6c9e73fbc96ac996d6810efb53350132f281282a22acee4a7ef6cf4f1deca6a1"
    assert (
        sign(SECRET, "POST", "/api/v2/kyc/sessions", TS, BODY)
        == "6fb6736c30037609313db22e9dbbd7bc9ce121785f6c256c4477dc12af5bbeb4"
    )


def test_get_vector_with_empty_body() -> None:
    assert EMPTY_BODY_SHA256 == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    path = "/api/v2/kyc/sessions/550e8400-e29b-41d4-a716-446655440000"
    assert (
        sign(SECRET, "GET", path, TS, b"")
        == "b44d37a3e0d150577b0d32a6cffc20e299ef32400ca408e06f3dc8362977f195"
    )


def test_method_is_upper_cased_and_uppercase_hex_is_accepted() -> None:
    expected = sign(SECRET, "post", "/api/v2/kyc/sessions", TS, BODY)
    assert expected == "6fb6736c30037609313db22e9dbbd7bc9ce121785f6c256c4477dc12af5bbeb4"
    assert signature_matches(SECRET, "POST", "/api/v2/kyc/sessions", TS, BODY, expected.upper())


def test_any_change_breaks_the_signature() -> None:
    good = sign(SECRET, "POST", "/api/v2/kyc/sessions", TS, BODY)
    assert not signature_matches(SECRET, "POST", "/api/v2/kyc/sessions", TS, BODY + b" ", good)
    assert not signature_matches(SECRET, "POST", "/api/v2/kyc", TS, BODY, good)
    assert not signature_matches(
        SECRET, "POST", "/api/v2/kyc/sessions", "1706012345679", BODY, good
    )
    assert not signature_matches("sk_test_other", "POST", "/api/v2/kyc/sessions", TS, BODY, good)
    assert not signature_matches(SECRET, "POST", "/api/v2/kyc/sessions", TS, BODY, "ünïcödé")
