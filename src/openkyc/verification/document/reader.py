"""The public document reader: images in, a checked and interpreted document out."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
import time

import numpy as np
import numpy.typing as npt

from openkyc.verification.types import Finding, ModelInfo, Timing

from . import reasons
from .countries import is_country
from .deblur import unshaken_frame
from .images import ImageDecodeError, shrink, to_bgr, to_grey
from .interpret import interpret
from .mrz_parse import MrzError, parse
from .ocr import MrzOcr, OcrSpent, shared_ocr
from .outline import find_document
from .portrait import find_portrait
from .results import DocumentResult, MrzData, VisualField
from .visual_zone import VisualZoneReader, shared_visual_zone
from .zone_reader import ZoneReader, ZoneReading

ImageInput = bytes | npt.NDArray[np.uint8]
BGRImage = npt.NDArray[np.uint8]

# Issuers whose documents print the holder's name in Cyrillic next to the Latin one.
_CYRILLIC_ISSUERS = frozenset(
    {"RUS", "KAZ", "KGZ", "BLR", "UKR", "TJK", "MNG", "BGR", "SRB", "MKD"}
)


class DocumentReader:
    """Reads identity documents. Models load once, when the reader is built; one reader serves
    a whole worker process (calls are serialised around the OCR engine)."""

    def __init__(self, *, visual_zone: bool = True, ocr: MrzOcr | None = None) -> None:
        self._ocr = ocr or shared_ocr()
        self._visual: VisualZoneReader | None = shared_visual_zone() if visual_zone else None
        # The printed names settle internal-passport letter rivals; off with the visual zone.
        self._zones = ZoneReader(self._ocr, self._visual)
        self._lock = threading.Lock()

    @property
    def models(self) -> tuple[ModelInfo, ...]:
        models: tuple[ModelInfo, ...] = self._ocr.models
        if self._visual is not None:
            models += self._visual.models
        return models

    def read(
        self,
        front: ImageInput,
        back: ImageInput | None = None,
        *,
        today: dt.date | None = None,
    ) -> DocumentResult:
        today = today or dt.date.today()
        started = time.perf_counter()
        timings: list[Timing] = []
        spent = dataclasses.replace(self._ocr.spent)
        try:
            sides = [("front", to_bgr(front))]
            if back is not None:
                sides.append(("back", to_bgr(back)))
            timings.append(Timing("decode", _ms_since(started)))
        except ImageDecodeError:
            return DocumentResult(
                found=False,
                valid=False,
                findings=(Finding(reasons.DOCUMENT_UNREADABLE),),
                models=self.models,
            )
        # ID cards carry the zone on the back: look there first when a back is given.
        order = sorted(sides, key=lambda s: s[0] != "back")
        reading: ZoneReading | None = None
        side = None
        with self._lock:
            for side, image in order:
                # With a back given, the zone is there (ID cards); the front gets a quick look only.
                quick = side == "front" and len(sides) > 1
                reading = self._zones.read(image, full_frame=not quick)
                for name, ms in reading.timings.items():
                    timings.append(Timing(f"{side}.{name}", round(ms, 2)))
                if reading.correction is not None:
                    break
        assert reading is not None
        assert side is not None
        if reading.correction is None:
            reading, side, image = self._unshaken(order, len(sides), reading, side, image, timings)
        front_image = sides[0][1]
        if reading.correction is None:
            timings.extend(self._model_timings(spent))
            return self._not_verified(reading, timings, started)
        mrz = reading.correction.mrz
        fields = interpret(mrz, today)
        findings: list[Finding] = []
        if fields.expiry_date is not None and fields.expiry_date < today:
            findings.append(
                Finding(reasons.DOCUMENT_EXPIRED, {"expiry": fields.expiry_date.isoformat()})
            )
        unknown = [c for c in (mrz.issuing_country, mrz.nationality) if not is_country(c)]
        if unknown:
            # Read exactly, yet not a code we know: kept, and left to a person to judge.
            findings.append(Finding(reasons.DOCUMENT_ISSUER_UNKNOWN, {"codes": ",".join(unknown)}))
        angle = reading.angle if side == "front" else None
        # The front in grey, once: the portrait and the printed words are read from it.
        front_grey = to_grey(front_image)
        stage = time.perf_counter()
        layout = "RU" if fields.kind == "ru_internal_passport" else mrz.format
        outline = None
        if side != "front":
            # A card's front has no zone to go by: use the card's outline on the table.
            scale = min(1.0, 640 / max(front_image.shape[:2]))
            framing = find_document(shrink(front_image, scale), scale)
            outline = framing.rect if framing is not None and framing.area_share > 0.05 else None
        portrait = find_portrait(
            front_grey,
            zone=reading.zone if side == "front" else None,
            angle=angle,
            layout=layout,
            document=outline,
        )
        timings.append(Timing("portrait", _ms_since(stage)))
        visual_fields: tuple[VisualField, ...] = ()
        surname_cyr, given_cyr = fields.surname_cyrillic, fields.given_names_cyrillic
        reads_cyrillic = (
            fields.kind == "ru_internal_passport" or fields.issuing_country in _CYRILLIC_ISSUERS
        )
        if (
            self._visual is not None
            and reading.zone is not None
            and angle is not None
            and reads_cyrillic
        ):
            stage = time.perf_counter()
            ru = fields.kind == "ru_internal_passport"
            check = self._visual.confirm_names(front_grey, mrz, reading.zone, angle, ru_internal=ru)
            timings.append(Timing("visual_zone", _ms_since(stage)))
            visual_fields = check.fields
            for vf in check.fields:
                if not ru and vf.name == "surname":
                    surname_cyr = vf.text
                elif not ru and vf.name == "given_names":
                    given_cyr = vf.text
        issue_date = fields.issue_date
        if self._visual is not None and reading.zone is not None and reading.angle is not None:
            # The printed page: the issue date the zone lacks, disagreements as findings.
            stage = time.perf_counter()
            # The zone's side: a card's back carries its dates beside the zone.
            grey = front_grey if image is front_image else to_grey(image)
            printed = self._visual.check_printed(
                grey, reading.zone, reading.angle, mrz, fields, today
            )
            timings.append(Timing("printed_fields", _ms_since(stage)))
            known = {vf.name for vf in visual_fields}
            visual_fields += tuple(vf for vf in printed.fields if vf.name not in known)
            findings.extend(printed.findings)
            issue_date = issue_date or printed.issue_date
        timings.extend(self._model_timings(spent))
        timings.append(Timing("total", _ms_since(started)))
        return DocumentResult(
            found=True,
            valid=True,
            kind=fields.kind,
            document_type=fields.document_type,
            issuing_country=fields.issuing_country,
            number=fields.number,
            surname=fields.surname,
            given_names=fields.given_names,
            surname_cyrillic=surname_cyr,
            given_names_cyrillic=given_cyr,
            patronymic=fields.patronymic,
            sex=fields.sex,
            birth_date=fields.birth_date,
            nationality=fields.nationality,
            expiry_date=fields.expiry_date,
            issue_date=issue_date,
            personal_number=fields.personal_number,
            department_code=fields.department_code,
            mrz_lines=mrz.lines,
            check_digits=mrz.checks,
            findings=tuple(findings),
            portrait_box=portrait,
            visual_fields=visual_fields,
            models=self.models,
            timings=tuple(timings),
            mrz_side=side,
            name_confirmed=reading.name_confirmed,
        )

    def _unshaken(
        self,
        order: list[tuple[str, BGRImage]],
        count: int,
        refused: ZoneReading,
        side: str,
        image: BGRImage,
        timings: list[Timing],
    ) -> tuple[ZoneReading, str, BGRImage]:
        """A photo refused whole, read once more with the shake its cepstrum shows undone over
        the whole frame (:func:`.deblur.unshaken_frame`); the restored view goes through the
        same check digits and confirmation as the photo. Only the sides read in full."""
        with self._lock:
            for name, photo in order:
                if name == "front" and count > 1:
                    continue
                stage = time.perf_counter()
                restored = unshaken_frame(photo)
                timings.append(Timing(f"{name}.unshaken_frame", _ms_since(stage)))
                if restored is None:
                    continue
                reading = self._zones.read(restored, full_frame=False, taken=photo)
                for stage_name, ms in reading.timings.items():
                    timings.append(Timing(f"{name}.unshaken.{stage_name}", round(ms, 2)))
                if reading.correction is not None:
                    return reading, name, restored
        return refused, side, image

    def _model_timings(self, before: OcrSpent) -> list[Timing]:
        """The OCR models' share of the stages above (which include them): the recogniser is
        most of a document's time; the text detector runs only in fallbacks."""
        now = self._ocr.spent
        timings = [Timing("ocr.recognise", round(now.recognise_ms - before.recognise_ms, 2))]
        if now.detect_ms > before.detect_ms:
            timings.append(Timing("ocr.detector", round(now.detect_ms - before.detect_ms, 2)))
        return timings

    def _not_verified(
        self, reading: ZoneReading, timings: list[Timing], started: float
    ) -> DocumentResult:
        """A zone that was seen but failed its check digits is reported, never its fields."""
        timings.append(Timing("total", _ms_since(started)))
        best: MrzData | None = None
        for size in (3, 2):
            rows = [r for r in reading.raw_lines if len(r) >= 20][-size:]
            try:
                best = parse(rows)
                break
            except MrzError:
                continue
        seen = bool(reading.raw_lines) and any(r.count("<") >= 2 for r in reading.raw_lines)
        code = reasons.DOCUMENT_MRZ_UNVERIFIED if seen else reasons.DOCUMENT_MRZ_NOT_FOUND
        return DocumentResult(
            found=seen,
            valid=False,
            mrz_lines=best.lines if best is not None else (),
            check_digits=best.checks if best is not None else (),
            findings=(Finding(code),),
            models=self.models,
            timings=tuple(timings),
        )


def _ms_since(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 2)
