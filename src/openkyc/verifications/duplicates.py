"""Duplicate identities: the same face verified under another identity, for one tenant.

Faces are stored sealed, with a keyed digest of the identity they were verified as, and are
compared only within the embedding space (model) they were made in.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from openkyc.sessions.models import KycSession
from openkyc.state import AppState
from openkyc.verification.decision import DecisionPolicy
from openkyc.verifications.evidence import Extracted, FaceVector
from openkyc.verifications.models import FaceEmbedding, embedding_aad
from openkyc.verifications.repository import EmbeddingRepository

# What a duplicate candidate's identity is compared as: the probe's own, or another one.
_SAME, _OTHER = "same-identity", "other-identity"


class FaceRegistry:
    def __init__(self, repository: EmbeddingRepository, state: AppState) -> None:
        self.repository = repository
        self.state = state

    async def matches(
        self, kyc_session: KycSession, extracted: Extracted, policy: DecisionPolicy
    ) -> list[str]:
        """The sessions whose verified face matches this one under another identity."""
        probe = extracted.face
        if not policy.reject_duplicates or probe is None:
            return []
        try:
            from openkyc.verification.face.duplicates import DuplicateCandidate, find_duplicates
        except ImportError:  # pragma: no cover - the face stage ships with the pipeline
            return []
        stored = await self.repository.for_tenant(
            kyc_session.merchant_id, kyc_session.mode, model=probe.space, excluding=kyc_session.id
        )
        keyring = self.state.keyring
        known_keys = self.state.settings.master_keys()[1]
        # A stored digest was made with the master key active when it was stored (the same
        # key sealed its embedding), so the probe is digested with that key for each row:
        # rotating the master key must not turn a returning customer into a "duplicate".
        probe_digests: dict[str, str] = {}
        candidates = []
        for row in stored:
            key_id = keyring.key_id_of(row.embedding_ciphertext)
            if key_id not in known_keys:
                continue  # sealed under a key that is gone: unreadable, so not comparable
            if key_id not in probe_digests:
                probe_digests[key_id] = self.identity_digest(extracted.identity, key_id)
            same = hmac.compare_digest(row.identity_digest, probe_digests[key_id])
            candidates.append(
                DuplicateCandidate(
                    key=str(row.session_id),
                    identity=_SAME if same else _OTHER,
                    embedding=keyring.decrypt(
                        row.embedding_ciphertext, embedding_aad(row.session_id)
                    ),
                )
            )
        if not candidates:
            return []
        hits = find_duplicates(probe.vector, candidates, identity=_SAME)
        return [hit.key for hit in hits if hit.different_identity]

    async def remember(
        self, kyc_session: KycSession, identity: dict[str, Any], embedding: FaceVector
    ) -> None:
        await self.repository.delete_for_session(kyc_session.id)
        await self.repository.add(
            FaceEmbedding(
                session_id=kyc_session.id,
                merchant_id=kyc_session.merchant_id,
                mode=kyc_session.mode,
                identity_digest=self.identity_digest(identity),
                embedding_ciphertext=self.state.keyring.encrypt(
                    embedding.vector, embedding_aad(kyc_session.id)
                ),
                model=embedding.space,
            )
        )

    def identity_digest(self, identity: dict[str, Any], key_id: str | None = None) -> str:
        # Keyed, so the digest of a known document number cannot be looked up in the table.
        active, keys = self.state.settings.master_keys()
        secret = keys[key_id or active]
        key = hmac.new(secret, b"openkyc.identity-digest", hashlib.sha256).digest()
        material = f"{identity.get('documentCountry') or ''}:{identity.get('documentNumber') or ''}"
        return hmac.new(key, material.encode(), hashlib.sha256).hexdigest()
