"""Photos of the evaluation material rebuilt from what ``eval/documents.py`` drew for them (the
kind, the person, the face, the distortion and the seed), read end to end with the real models."""

from __future__ import annotations

import datetime as dt
from typing import Any

from openkyc.specimens.documents import (
    Distortion,
    RenderedDocument,
    SpecimenIdentity,
    render_document,
)
from openkyc.specimens.faces import face_by_id
from openkyc.verification.document import DocumentReader, DocumentResult

TODAY = dt.date(2026, 1, 15)


def rebuilt(
    kind: str, identity: dict[str, Any], face: str, seed: int, **distortion: Any
) -> RenderedDocument:
    """The photo of ``identity`` (its dates as ISO strings) as the hard material renders it."""
    dates = {k: dt.date.fromisoformat(v) for k, v in identity.items() if k.endswith("_date") and v}
    person = SpecimenIdentity(kind=kind, **{**identity, **dates})
    return render_document(
        kind, person, face_by_id(face), Distortion(**distortion), seed, varied=True
    )


def read(reader: DocumentReader, doc: RenderedDocument) -> DocumentResult:
    return reader.read(doc.front_jpeg, doc.back_jpeg, today=TODAY)


def exact(doc: RenderedDocument, result: DocumentResult) -> bool:
    return list(result.mrz_lines) == doc.truth["mrz_lines"]


def reads_exactly(reader: DocumentReader, doc: RenderedDocument) -> DocumentResult:
    result = read(reader, doc)
    assert result.valid, result.findings
    assert exact(doc, result), result.mrz_lines
    return result


def exact_or_refused(reader: DocumentReader, doc: RenderedDocument) -> None:
    """A photo no reading may verify with a character wrong: it reads exactly or is refused."""
    result = read(reader, doc)
    assert not result.valid or exact(doc, result), result.mrz_lines
