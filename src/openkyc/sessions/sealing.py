"""Personal fields of a session, sealed under the master key and bound to the session row."""

from __future__ import annotations

import json

from openkyc.encryption import Keyring
from openkyc.sessions.models import Contact, KycSession, contact_aad
from openkyc.sessions.search import index_contact


def seal_contact(keyring: Keyring, kyc_session: KycSession, contact: Contact) -> None:
    index_contact(keyring, kyc_session, contact)
    if contact.email is None and contact.phone is None:
        kyc_session.contact_ciphertext = None
        return
    plaintext = json.dumps({"email": contact.email, "phone": contact.phone}).encode()
    kyc_session.contact_ciphertext = keyring.encrypt(plaintext, contact_aad(kyc_session.id))


def open_contact(keyring: Keyring, kyc_session: KycSession) -> Contact:
    if kyc_session.contact_ciphertext is None:
        return Contact()
    data = json.loads(keyring.decrypt(kyc_session.contact_ciphertext, contact_aad(kyc_session.id)))
    return Contact(email=data.get("email"), phone=data.get("phone"))
