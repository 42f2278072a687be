"""One pipeline per process: the models load once (slowly) and then serve every job.

``OPENKYC_PIPELINE``: ``default`` (the real models), ``fake`` (deterministic, no models: tests
and sandbox), or ``package.module:factory`` for a pipeline of your own (tests use this to make a
slow pipeline they can kill a worker in the middle of).
"""

from __future__ import annotations

import importlib
import threading
from typing import TYPE_CHECKING, cast

from openkyc.config import Settings

if TYPE_CHECKING:
    # Imported lazily below: the models are heavy and the API process never runs them.
    from openkyc.verification.pipeline import Pipeline, VerificationInputs, VerificationResult

    PipelineLike = Pipeline


_lock = threading.Lock()
_run_lock = threading.Lock()
_pipelines: dict[str, PipelineLike] = {}


def get_pipeline(settings: Settings) -> PipelineLike:
    name = settings.pipeline
    with _lock:
        pipeline = _pipelines.get(name)
        if pipeline is None:
            pipeline = _build(name)
            _pipelines[name] = pipeline
        return pipeline


def run_pipeline(pipeline: PipelineLike, inputs: VerificationInputs) -> VerificationResult:
    # The models (mediapipe graphs, dlib) are not known to be thread-safe: the worker threads
    # of one process take turns; processes scale out instead.
    if getattr(pipeline, "thread_safe", False):
        return pipeline.run(inputs)
    with _run_lock:
        return pipeline.run(inputs)


def _build(name: str) -> PipelineLike:
    if name == "fake":
        from openkyc.verification.fake import FakePipeline

        return cast("PipelineLike", FakePipeline())
    if name == "default":
        from openkyc.verification.pipeline import DefaultPipeline

        return cast("PipelineLike", DefaultPipeline())
    module_name, _, attribute = name.partition(":")
    if not attribute:
        raise ValueError(f"OPENKYC_PIPELINE must be default, fake or module:factory, not {name}")
    factory = getattr(importlib.import_module(module_name), attribute)
    return cast("PipelineLike", factory())
