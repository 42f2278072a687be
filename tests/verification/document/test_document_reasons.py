"""Every document reason code is registered with real Russian and Kazakh text."""

from __future__ import annotations

from openkyc.verification.document import reasons as d
from openkyc.verification.reasons import LANGUAGES, message, reason


def test_document_codes_have_translations() -> None:
    codes = [getattr(d, name) for name in dir(d) if name.startswith("DOCUMENT_")]
    assert {
        d.DOCUMENT_MRZ_NOT_FOUND,
        d.DOCUMENT_ISSUER_UNKNOWN,
        d.DOCUMENT_PRINTED_MISMATCH,
    } <= set(codes)
    for code in codes:
        texts = {lang: message(code, lang) for lang in LANGUAGES}
        assert len(set(texts.values())) == 3, code
        assert any("а" <= ch <= "я" for ch in texts["ru"].lower())
        assert any("а" <= ch <= "я" or ch in "әғқңөұүһі" for ch in texts["kk"].lower())
    assert reason(d.DOCUMENT_EXPIRED).fixable is False
    assert reason(d.DOCUMENT_MRZ_NOT_FOUND).fixable is True
    # An unknown state code is no fault of the photo: retaking it changes nothing.
    assert reason(d.DOCUMENT_ISSUER_UNKNOWN).fixable is False
    # A printed field contradicting the zone needs an operator, not a retake.
    assert reason(d.DOCUMENT_PRINTED_MISMATCH).fixable is False
