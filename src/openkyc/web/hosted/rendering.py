"""Server-rendered pages of the hosted flow: the template environment and page texts."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from openkyc.web.hosted.security import apply_headers
from openkyc.web.i18n import LANGUAGE_NAMES, N_, Translator

WEB_DIR = Path(__file__).resolve().parent.parent
STATIC_DIR = WEB_DIR / "static"


def _asset_version() -> str:
    digest = hashlib.sha256()
    for path in sorted((STATIC_DIR / "hosted").glob("*")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


ASSET_VERSION = _asset_version()

environment = Environment(
    loader=FileSystemLoader(WEB_DIR / "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
# Cyrillic as UTF-8, not \uXXXX escapes: a third of the bytes on a slow network. (tojson
# still escapes <, >, & and ' so the JSON block stays inert inside HTML.)
environment.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "sort_keys": True}

# The customer's progress bar ("step N of 3"): which of the three steps each page belongs
# to. The result is no step: the processing and result pages show none.
STAGES = (N_("Document"), N_("Selfie"), N_("Check and send"))
STAGE_OF_STEP = {
    "document": 0,
    "capture_front": 0,
    "capture_back": 0,
    "selfie": 1,
    "review": 2,
}

# Reasons to retake, grouped by what the customer does about them: the codes of one group say
# the same thing, so only the first found is shown. Groups are ordered most actionable first
# (light causes blur and unread lines; the document before the selfie, which is retaken
# after it).
_REASON_GROUPS: tuple[tuple[str, ...], ...] = (
    ("capture_too_dark",),
    ("capture_glare", "document_portrait_glare"),
    (
        "capture_cut_off",
        "capture_too_small",
        "capture_mrz_not_found",
        "document_mrz_not_found",
        "capture_face_not_found",
        "document_face_not_found",
    ),
    ("capture_blurred", "document_mrz_unverified", "MRZ_CHECK_FAILED"),
    ("capture_unreadable", "document_unreadable", "DOCUMENT_UNREADABLE"),
    ("selfie_too_dark",),
    (
        "selfie_no_face",
        "selfie_face_cut_off",
        "liveness_face_lost",
        "selfie_face_too_small",
        "selfie_face_turned_away",
        "selfie_multiple_faces",
        "NO_FACE",
    ),
    ("selfie_blurry", "selfie_eyes_closed", "selfie_unreadable"),
    (
        "liveness_challenge_not_followed",
        "liveness_no_head_movement",
        "liveness_too_few_frames",
        "liveness_frames_discontinuous",
        "liveness_not_assessed",
    ),
    ("POOR_QUALITY",),
)
_GROUP_OF = {code: rank for rank, group in enumerate(_REASON_GROUPS) for code in group}


def top_reasons(t: Translator, codes: list[str], limit: int = 2) -> list[str]:
    """The one or two things to fix, most actionable first, one per group of codes that say
    the same thing; codes outside the groups come last, in their own order."""
    chosen: dict[object, str] = {}
    ordered = sorted(
        dict.fromkeys(codes), key=lambda code: _GROUP_OF.get(code, len(_REASON_GROUPS))
    )
    for code in ordered:
        group = _GROUP_OF.get(code, code)
        message = t.reason(code)
        if group not in chosen and message not in chosen.values():
            chosen[group] = message
    return list(chosen.values())[:limit]


def consent_paragraphs(t: Translator, merchant: str) -> list[str]:
    return [
        t.gettext(
            N_(
                "%(merchant)s uses OpenKYC to check that you are the owner of your identity document."
            ),
            merchant=merchant,
        ),
        t.gettext(
            N_(
                "We will process photos of your identity document, the data printed on it (name, "
                "date of birth, document number and dates) and a short series of selfie photos of "
                "your face."
            )
        ),
        t.gettext(
            N_(
                "Why: to confirm your identity and that you are really here, as %(merchant)s "
                "requires to prevent fraud and to meet its legal duties."
            ),
            merchant=merchant,
        ),
        t.gettext(
            N_(
                "Your photos are encrypted and deleted when they are no longer needed. "
                "%(merchant)s receives the result of the check and your document details."
            ),
            merchant=merchant,
        ),
        t.gettext(N_("You can stop at any time by closing this page.")),
    ]


def consent_hash(version: str, language: str, paragraphs: list[str]) -> str:
    text = "\n".join([version, language, *paragraphs])
    return hashlib.sha256(text.encode()).hexdigest()


DOCUMENT_LABELS = {
    "ru_internal_passport": N_("Russian internal passport"),
    "ru_international_passport": N_("Russian international passport"),
    "kz_id_card": N_("Kazakhstan ID card"),
    "kz_passport": N_("Kazakhstan passport"),
    "passport": N_("Passport of another country"),
}
COUNTRY_LABELS = {"RUS": N_("Russia"), "KAZ": N_("Kazakhstan"), "OTHER": N_("Other country")}

UPLOAD_MESSAGES = {
    "upload_missing": N_("Choose a photo to upload."),
    "upload_empty": N_("The file is empty. Choose a photo to upload."),
    "upload_not_image": N_("This file is not a photo. Upload a JPEG, PNG or WebP image."),
    "upload_heic": N_(
        "This photo is in HEIC format. Take the photo with the camera button instead, or "
        "choose a JPEG or PNG image."
    ),
    "upload_corrupt": N_("The photo could not be opened. Take it again or choose another file."),
    "upload_too_small": N_("The photo is too small. Use a photo at least 640 pixels wide."),
    "upload_too_many_pixels": N_("The photo is too large. Use a photo under 40 megapixels."),
    "selfie_too_many_pixels": N_(
        "The camera sent pictures that are too large. Reload the page and record again."
    ),
    "upload_too_large": N_("The file is too large. Use a photo under 12 MB."),
    "upload_limit_reached": N_(
        "Too many photos were uploaded for this verification. Contact the service that sent "
        "you here."
    ),
    "upload_too_many_files": N_("Too many photos at once. Try again."),
    "csrf_rejected": N_("This page expired. It has been reloaded: please try again."),
    "rate_limited": N_("Too many attempts in a short time. Wait a minute and try again."),
    "flow_step_conflict": N_("This step was already completed, perhaps in another tab."),
    "session_expired": N_("This verification link has expired."),
    "flow_closed": N_("This verification is already complete."),
    "flow_access_denied": N_("This verification is open in another browser."),
    "document_not_allowed": N_("Choose one of the documents in the list."),
    "consent_required": N_("Tick the box to agree before you continue."),
    "handoff_invalid": N_("This QR code was already used or has expired."),
    "not_found": N_("This verification link is not valid. Check the link you received."),
    "storage_unavailable": N_(
        "Your photo could not be saved just now. Nothing is lost: wait a few seconds and "
        "send it again."
    ),
    "live_capture_required": N_(
        "This service needs a live selfie recorded with a camera; a photo cannot be used. "
        "Continue on a phone with the QR code, or open this link in a browser that can use "
        "the camera."
    ),
    "error": N_("Something went wrong on our side. Please try again."),
}


def message_for(t: Translator, reason: str) -> str:
    return t.gettext(UPLOAD_MESSAGES.get(reason, UPLOAD_MESSAGES["error"]))


def js_texts(t: Translator) -> dict[str, str]:
    """Strings the camera script shows, delivered as inert JSON (CSP forbids inline script)."""
    return {
        "camera_starting": t.gettext(N_("Starting the camera…")),
        "camera_ready": t.gettext(N_("Camera is ready.")),
        "camera_denied": t.gettext(
            N_("The camera is not available or access was refused. Upload a photo instead.")
        ),
        "camera_unsupported": t.gettext(
            N_("This browser cannot use the camera here. Upload a photo instead.")
        ),
        "checking": t.gettext(N_("Checking the photo…")),
        "uploading": t.gettext(N_("Uploading…")),
        "network_error": t.gettext(N_("Connection problem. Check your internet and try again.")),
        "retake_title": t.gettext(N_("Please retake the photo")),
        "get_ready": t.gettext(N_("Look straight at the camera")),
        "turn_left": t.gettext(N_("Slowly turn your head to the left")),
        "turn_right": t.gettext(N_("Slowly turn your head to the right")),
        "look_up": t.gettext(N_("Slowly raise your chin and look up")),
        "look_down": t.gettext(N_("Slowly lower your chin and look down")),
        "camera_denied_live": t.gettext(
            N_(
                "The camera is not available or access was refused. Continue on your phone "
                "with the QR code below."
            )
        ),
        "recording": t.gettext(N_("Recording: %(num)d s left")),
        "hint_dark": t.gettext(N_("Too dark: move to a brighter place")),
        "hint_glare": t.gettext(N_("Glare: tilt the document or move away from the light")),
        "hold_still": t.gettext(N_("Hold still…")),
        "done": t.gettext(N_("Done")),
        "too_large": message_for(t, "upload_too_large"),
    }


def render(
    t: Translator, template: str, context: Mapping[str, Any], *, status_code: int = 200
) -> HTMLResponse:
    values: dict[str, Any] = {
        "_": t.gettext,
        "ngettext": t.ngettext,
        "lang": t.language,
        "languages": LANGUAGE_NAMES,
        "asset_version": ASSET_VERSION,
        "stages": [t.gettext(stage) for stage in STAGES],
        "js_texts": js_texts(t),
        # Pages outside a flow (not found, errors) have none of these.
        "page": "",
        "page_url": "",
        "csrf": "",
        "merchant_name": "",
        "brand_css": None,
        "brand_logo": None,
        "sandbox": False,
        "progress": None,
        "error": None,
    }
    values.update(context)
    html = environment.get_template(template).render(values)
    return apply_headers(HTMLResponse(html, status_code=status_code))
