# OpenKYC production image: the API (`openkyc serve`) and the workers (`openkyc worker`) run
# from the same image. Debian packages and PyPI wheels only; every model ships inside a wheel
# (RapidOCR's PP-OCR, dlib's face models, MediaPipe's face mesh) or a Debian package
# (tesseract kaz/rus), so a container runs with no network access at all.
#
#   docker build -t openkyc .
#   docker compose up -d          # see compose.yaml and docs/operations.md

# --- build: compile what has no wheel, then install everything into a venv ----------------
FROM python:3.11-slim-bookworm AS build

ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      build-essential pkg-config libtesseract-dev libleptonica-dev \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
RUN python -m venv /opt/openkyc \
 && /opt/openkyc/bin/pip install --upgrade pip \
 && /opt/openkyc/bin/pip install . \
 # mediapipe's wheel metadata drags in jax and opencv-contrib, which it does not need here
 # (the Makefile installs it the same way); its real dependencies are in pyproject.toml.
 && /opt/openkyc/bin/pip install --no-deps mediapipe==0.10.21

# --- runtime: the venv, the OCR data, a user without privileges ----------------------------
FROM python:3.11-slim-bookworm AS runtime

RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      tesseract-ocr tesseract-ocr-rus tesseract-ocr-kaz libgl1 libglib2.0-0 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /var/lib/openkyc --create-home openkyc

COPY --from=build /opt/openkyc /opt/openkyc
ENV PATH=/opt/openkyc/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    OPENKYC_ENV=production \
    OPENKYC_DATA_DIR=/var/lib/openkyc

USER openkyc
WORKDIR /var/lib/openkyc
# Builds the pipeline as a worker does at start, offline: a model that is missing from the
# image fails the build here rather than the first verification.
RUN python -c "from openkyc.verification.pipeline import DefaultPipeline; DefaultPipeline()"

EXPOSE 8000
# SIGTERM is graceful for both commands (OPENKYC_SHUTDOWN_TIMEOUT_S, default 30 s): give the
# container runtime a longer stop timeout than that (compose.yaml: stop_grace_period).
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=8s --start-period=60s --retries=3 \
  CMD ["openkyc", "ready"]
ENTRYPOINT ["openkyc"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000", "--no-demo"]
