"""Printed Cyrillic/Kazakh names (the visual zone), read with tesseract and kept only where the
MRZ confirms them. Placeholder until the tesseract reader lands."""

from __future__ import annotations

from functools import cache

import numpy as np
import numpy.typing as npt

from openkyc.verification.types import ModelInfo

from .results import MrzData, VisualField


class VisualZoneReader:
    models: tuple[ModelInfo, ...] = ()

    def confirm_names(self, image: npt.NDArray[np.uint8], mrz: MrzData, angle: float | None) -> tuple[VisualField, ...]:
        return ()


@cache
def shared_visual_zone() -> VisualZoneReader | None:
    return None
