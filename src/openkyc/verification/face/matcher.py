"""FaceMatcher: document portrait against the best of several selfie frames."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from openkyc.verification.face import calibration, glare, noise, reasons
from openkyc.verification.face.detect import (
    BLAZEFACE_MODEL,
    HOG_MODEL,
    DetectedFace,
    DocumentFace,
    FaceDetector,
)
from openkyc.verification.face.embed import (
    EMBEDDING_MODEL,
    GREY_CHROMA,
    MESH_FIVE_POINTS,
    Embedding,
    FaceEmbedder,
    average,
    chroma,
)
from openkyc.verification.face.embedding import embedding_to_bytes
from openkyc.verification.face.geometry import Box
from openkyc.verification.face.images import RGBImage
from openkyc.verification.face.mesh import MESH_MODEL, FaceMesher
from openkyc.verification.face.quality import analyse_selfie, observe
from openkyc.verification.face.results import FaceMatchResult, SelfieAnalysis
from openkyc.verification.face.sharpness import matching_sigma, sharpness
from openkyc.verification.types import ModelInfo, Timing

MODELS: tuple[ModelInfo, ...] = (HOG_MODEL, BLAZEFACE_MODEL, MESH_MODEL, EMBEDDING_MODEL)

# Full detection costs ~110 ms a frame, so a burst is ranked with the 6 ms mesh first and only
# the most frontal frames are detected, quality-checked and embedded.
_DETECTED_FRAMES = 3


@dataclass(frozen=True, slots=True)
class SelfieFace:
    analysis: SelfieAnalysis
    face: DetectedFace | None
    image_index: int


@dataclass(frozen=True, slots=True)
class PortraitDescriptor:
    """The document portrait's full descriptor, its chip's sharpness, which the selfie chips
    are blurred down to before they are compared (see sharpness.py), the saturated share
    of its chip (see glare.py), the document's JPEG blockiness around it (see noise.py;
    a blocky chip is smoothed before its descriptor and sharpness are taken) and whether it
    is compared in grey."""

    embedding: Embedding
    sharpness: float
    glare: float = 0.0
    blockiness: float = 1.0
    # Mean chroma of the chip's centre (embed.chroma): a portrait printed grey is compared in
    # grey, and the selfie follows it.
    chroma: float = 100.0

    @property
    def grey(self) -> bool:
        return self.chroma < GREY_CHROMA


@dataclass(frozen=True, slots=True)
class FrameChip:
    """A selfie frame's aligned colour chip, the network input made from it (blurred to the
    portrait's sharpness by ``blur_sigma``) and the descriptor of that input alone (without its
    mirror image), which is enough to tell which frame is closest to the document."""

    selfie: SelfieFace
    chip: RGBImage
    prepared: RGBImage
    blur_sigma: float
    plain: Embedding
    grey: bool = False


def closest_frame(document: Embedding, plains: Sequence[Embedding]) -> int:
    """Index of the frame whose plain descriptor is closest to the document's."""
    distances = [float(np.linalg.norm(p - document)) for p in plains]
    return int(np.argmin(distances))


class FaceMatcher:
    """Builds the detectors, the mesh and the embedder once (models load once per process)."""

    def __init__(self, mesher: FaceMesher | None = None) -> None:
        self.mesher = mesher if mesher is not None else FaceMesher()
        self.detector = FaceDetector(self.mesher)
        self.embedder = FaceEmbedder()

    def analyse_selfie(self, image: RGBImage, frame_index: int = 0) -> SelfieFace:
        faces = self.detector.detect_selfie(image)
        analysis = analyse_selfie(image, faces, frame_index)
        return SelfieFace(analysis, faces[0] if faces else None, frame_index)

    def document_face(
        self, image: RGBImage, portrait_box: Box | None = None
    ) -> DocumentFace | None:
        return self.detector.detect_document(image, portrait_box)

    def embed(self, image: RGBImage, face: DetectedFace) -> Embedding:
        """The full descriptor (chip and mirror, no blur) of a selfie face."""
        return self.embedder.embed_chip(self.embedder.prepare(self._chip(image, face)))

    def _chip(self, image: RGBImage, face: DetectedFace) -> RGBImage:
        return self.embedder.chip_from_points(image, face.mesh.points[list(MESH_FIVE_POINTS)])

    def document_embedding(self, document: RGBImage, found: DocumentFace) -> PortraitDescriptor:
        """The portrait's descriptor, cut from the document image itself rather than from the
        rotated, rescaled crop the face was found in (one resampling instead of three)."""
        points = found.document_points(found.face.mesh.points[list(MESH_FIVE_POINTS)])
        chip = self.embedder.chip_from_points(document, points)
        block_ratio = noise.blockiness(document, points)
        compared = noise.deblocked(chip, block_ratio)
        colour = chroma(chip)
        return PortraitDescriptor(
            self.embedder.embed_chip(self.embedder.prepare(compared, grey=colour < GREY_CHROMA)),
            sharpness(compared),
            glare.saturated_share(chip),
            block_ratio,
            colour,
        )

    def frame_chip(
        self,
        image: RGBImage,
        selfie: SelfieFace,
        target_sharpness: float | None = None,
        *,
        grey: bool = False,
    ) -> FrameChip:
        """The frame's chip, blurred down to ``target_sharpness`` when one is given, and in grey
        when the portrait it is compared with is."""
        assert selfie.face is not None
        chip = self._chip(image, selfie.face)
        sigma = 0.0 if target_sharpness is None else matching_sigma(chip, target_sharpness)
        prepared = self.embedder.prepare(chip, sigma, grey=grey)
        return FrameChip(selfie, chip, prepared, sigma, self.embedder.describe([prepared])[0], grey)

    def full_descriptor(self, frame: FrameChip) -> Embedding:
        """The frame's plain descriptor averaged with its mirror image's."""
        return average(frame.plain, self.embedder.mirror_descriptor(frame.prepared))

    def stored_descriptor(self, frame: FrameChip, compared: Embedding | None) -> Embedding:
        """What is kept for the duplicate search, which compares selfies with selfies: the
        unblurred colour full descriptor (``compared`` is reused when it is that)."""
        if compared is not None and frame.blur_sigma == 0.0 and not frame.grey:
            return compared
        return self.embedder.embed_chip(self.embedder.prepare(frame.chip))

    def _rank_frames(self, selfies: Sequence[RGBImage]) -> list[int]:
        if len(selfies) <= _DETECTED_FRAMES:
            return list(range(len(selfies)))
        costs: list[tuple[float, int]] = []
        for index, image in enumerate(selfies):
            meshes = self.mesher.on_image(image)
            if not meshes:
                costs.append((1e9, index))
                continue
            mesh = max(meshes, key=lambda m: m.box.area)
            # Frontal, open-eyed and large faces embed best.
            cost = abs(mesh.yaw) + 0.5 * abs(mesh.roll) - 40.0 * min(mesh.eye_openness, 0.3)
            costs.append((cost - 0.02 * mesh.box.w, index))
        return [index for _, index in sorted(costs)[:_DETECTED_FRAMES]]

    def match(
        self,
        document: RGBImage | None,
        selfies: Sequence[RGBImage],
        portrait_box: Box | None = None,
    ) -> FaceMatchResult:
        timings: list[Timing] = []
        started = time.perf_counter()
        document_face = None
        if document is not None:
            document_face = self.document_face(document, portrait_box)
        timings.append(Timing("face.document_detect", _ms(started)))

        started = time.perf_counter()
        analysed = [self.analyse_selfie(selfies[i], i) for i in self._rank_frames(selfies)]
        timings.append(Timing("face.selfie_detect", _ms(started)))

        found: list[str] = []
        usable = [s for s in analysed if s.face is not None]
        if not usable:
            # Every analysed frame failed: report what the best-ranked frame says.
            found.extend(analysed[0].analysis.reasons if analysed else (reasons.SELFIE_NO_FACE,))
        else:
            # Prefer frames without quality problems; report the problems of the best frame.
            usable.sort(key=lambda s: (len(s.analysis.reasons), s.image_index))
            found.extend(usable[0].analysis.reasons)
            if any(s.analysis.face_count > 1 for s in analysed):
                found.append(reasons.SELFIE_MULTIPLE_FACES)
        if document is not None and document_face is None:
            found.append(reasons.DOCUMENT_FACE_NOT_FOUND)

        # Each usable frame costs one descriptor (its plain chip, blurred to the portrait's
        # sharpness) to find the frame closest to the document; only that frame also gets its
        # mirror image's descriptor, so the final distance uses the same chip-and-mirror
        # descriptor on both sides, and, when it was blurred, its unblurred one for storage.
        started = time.perf_counter()
        portrait = None
        if document is not None and document_face is not None:
            portrait = self.document_embedding(document, document_face)
        target = None if portrait is None else portrait.sharpness
        grey = portrait is not None and portrait.grey
        chips = [self.frame_chip(selfies[s.image_index], s, target, grey=grey) for s in usable]
        frame_distances: list[tuple[int, float]] = []
        best: tuple[float, SelfieFace] | None = None
        stored: Embedding | None = None
        if chips and portrait is not None:
            document_embedding = portrait.embedding
            for frame in chips:
                distance = float(np.linalg.norm(frame.plain - document_embedding))
                frame_distances.append((frame.selfie.image_index, round(distance, 4)))
            chosen = chips[closest_frame(document_embedding, [c.plain for c in chips])]
            vector = self.full_descriptor(chosen)
            best = (float(np.linalg.norm(vector - document_embedding)), chosen.selfie)
            stored = self.stored_descriptor(chosen, vector)
        elif chips:
            # Nothing to compare with: store the best-quality frame's full descriptor.
            stored = self.full_descriptor(chips[0])
        timings.append(Timing("face.embed", _ms(started)))

        score = None
        distance_value = None
        decision = "not_compared"
        best_selfie = best[1] if best is not None else (usable[0] if usable else None)
        if best is not None:
            distance_value = best[0]
            assert portrait is not None
            score = calibration.score_from_distance(distance_value, grey=portrait.grey)
            decision = calibration.decide(score)
            if decision == "mismatch":
                found.append(reasons.FACE_MISMATCH)
            elif decision == "review":
                found.append(reasons.FACE_MATCH_REVIEW)
        document_glare = None
        if document is not None:
            chip_share = 0.0 if portrait is None else portrait.glare
            document_glare = glare.portrait_glare(chip_share, document, portrait_box)
            if glare.asks_retake(decision, document_glare):
                decision, found = "retake", _glare_reasons(found)
        return FaceMatchResult(
            decision=decision,
            score=None if score is None else round(score, 4),
            distance=None if distance_value is None else round(distance_value, 4),
            threshold=calibration.MATCH_THRESHOLD,
            review_threshold=calibration.REVIEW_THRESHOLD,
            document_face=None if document_face is None else observe(document_face.face, None),
            selfie_face=None if best_selfie is None else best_selfie.analysis.face,
            best_frame=None if best_selfie is None else best_selfie.image_index,
            frame_distances=tuple(frame_distances),
            selfie=tuple(s.analysis for s in analysed),
            reasons=tuple(dict.fromkeys(found)),
            models=MODELS,
            timings=tuple(timings),
            selfie_embedding=None if stored is None else embedding_to_bytes(stored),
            document_glare=None if document_glare is None else round(document_glare, 4),
        )

    def close(self) -> None:
        self.detector.close()
        self.mesher.close()


def _glare_reasons(found: list[str]) -> list[str]:
    """A glared portrait cannot be judged: its mismatch, review or not-found finding is replaced
    by the glare, which the customer can fix; selfie findings stay."""
    replaced = {reasons.FACE_MISMATCH, reasons.FACE_MATCH_REVIEW, reasons.DOCUMENT_FACE_NOT_FOUND}
    return [code for code in found if code not in replaced] + [reasons.DOCUMENT_PORTRAIT_GLARE]


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000.0, 2)
