"""For tests that mix scripted captures (a JSON scenario stored as the document) with real
uploads through the hosted page: a scenario runs scripted, a real photo runs the fake pipeline.

Selected with ``OPENKYC_PIPELINE=tests.worker.mixed_pipeline:MixedPipeline``."""

from __future__ import annotations

from typing import Any

from openkyc.verification.fake import FakePipeline
from tests.verifications.pipelines import ScriptedPipeline


class MixedPipeline:
    thread_safe = True

    def __init__(self) -> None:
        self.scripted = ScriptedPipeline()
        self.fake = FakePipeline()

    def run(self, inputs: Any) -> Any:
        if inputs.document_front.startswith(b"{"):
            return self.scripted.run(inputs)
        return self.fake.run(inputs)
