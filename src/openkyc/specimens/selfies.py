"""Synthetic selfies and selfie bursts made from the real source faces, and simulated attacks.

A genuine selfie is the source photo turned into a rough 3-D head: the MediaPipe face mesh
(478 points with depth) is fitted on the photo, rings of extra points around it stand for hair
and ears, and the photo is textured onto that mesh and re-posed (yaw, pitch, roll), re-lit and
put on a new background. This is a *simulation*: it turns a real face in 3-D the way a head
does, but its texture, hair and shading are far simpler than a camera's picture of a person.
Bursts follow the hosted page's recording script (1.5 s per instruction, at most 24 frames), with
random reaction times and amplitudes.

Attacks, for the liveness evaluation and tests:

* ``print``: the portrait printed on paper (halftone, paper white, lower contrast), held in
  front of the camera and tilted and moved rigidly, following the challenge as best a flat
  sheet can;
* ``screen``: the portrait on a phone screen (bezel, sub-pixel grid that beats into moiré,
  glare, compressed gamut), tilted and moved the same way;
* ``injection``: one static selfie sent as every frame;
* ``replay``: a genuine-looking recording made for another challenge.
"""

from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass
from functools import cache

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image

from openkyc.specimens.faces import SourceFace
from openkyc.verification.liveness.challenge import (
    LOOK_DOWN,
    LOOK_UP,
    STEPS,
    TURN_LEFT,
    TURN_RIGHT,
    Challenge,
)

FloatArray = npt.NDArray[np.float64]
RGBImage = npt.NDArray[np.uint8]

ATTACKS = ("print", "screen", "injection", "replay")

WIDTH = 480
HEIGHT = 640


# --------------------------------------------------------------------------------------------
# The textured head


@dataclass(frozen=True)
class _Head:
    texture: npt.NDArray[np.float32]  # H x W x 4, RGB + person alpha, 0..1
    points: FloatArray  # (N, 3) source x, y and depth (pixels, z away from the camera)
    weights: FloatArray  # (N,) 1 = moves with the head, 0 = body/background, in between = neck
    triangles: npt.NDArray[np.int32]  # (T, 3)
    pivot: FloatArray  # (3,) the head's rotation centre
    face_width: float


def _face_oval() -> list[int]:
    from mediapipe.python.solutions.face_mesh_connections import FACEMESH_FACE_OVAL

    return sorted({i for edge in FACEMESH_FACE_OVAL for i in edge})


def _delaunay(points: FloatArray, width: int, height: int) -> npt.NDArray[np.int32]:
    subdiv = cv2.Subdiv2D((-1, -1, width + 2, height + 2))
    clipped = np.stack(
        [np.clip(points[:, 0], -0.5, width + 0.5), np.clip(points[:, 1], -0.5, height + 0.5)],
        axis=1,
    )
    for x, y in clipped:
        subdiv.insert((float(x), float(y)))
    triangles: list[tuple[int, int, int]] = []
    for t in subdiv.getTriangleList():
        corners = np.array([[t[0], t[1]], [t[2], t[3]], [t[4], t[5]]], dtype=np.float64)
        # Subdiv2D keeps float32 copies, so vertices are matched to the nearest input point.
        distances = np.linalg.norm(clipped[None, :, :] - corners[:, None, :], axis=2)
        nearest = distances.argmin(axis=1)
        if distances[np.arange(3), nearest].max() < 0.05 and len(set(nearest.tolist())) == 3:
            triangles.append((int(nearest[0]), int(nearest[1]), int(nearest[2])))
    return np.array(triangles, dtype=np.int32)


@cache
def _head(face: SourceFace) -> _Head:
    return _head_of(face.portrait(WIDTH, HEIGHT), face.face_id)


def _head_of(photo: RGBImage, name: str) -> _Head:
    from mediapipe.python.solutions import face_mesh, selfie_segmentation

    with face_mesh.FaceMesh(static_image_mode=True, max_num_faces=1, refine_landmarks=True) as fm:
        result = fm.process(photo)
    if not result.multi_face_landmarks:
        raise ValueError(f"no face mesh on source face {name}")
    mesh = np.array(
        [(p.x * WIDTH, p.y * HEIGHT, p.z * WIDTH) for p in result.multi_face_landmarks[0].landmark]
    )
    with selfie_segmentation.SelfieSegmentation(model_selection=0) as seg:
        mask = seg.process(photo).segmentation_mask.astype(np.float32)
    # Everything the mesh covers is person, whatever the segmenter thinks of a grey photo.
    hull = cv2.convexHull(mesh[:, :2].astype(np.float32)).astype(np.int32)
    cv2.fillConvexPoly(mask, hull, (1.0,))
    mask = cv2.GaussianBlur(np.clip(mask, 0.0, 1.0), (0, 0), 1.5)

    centre = mesh[:, :2].mean(axis=0)
    face_width = float(np.linalg.norm(mesh[454, :2] - mesh[234, :2]))
    chin_y = float(mesh[152, 1])
    oval = mesh[_face_oval()]
    extra: list[tuple[float, float, float, float]] = []
    for push, depth, static_below_chin in ((0.2, 0.35, 0.6), (0.6, 0.75, 0.15), (1.1, 0.9, 0.0)):
        for x, y, z in oval:
            ox, oy = centre + (1.0 + push) * (np.array([x, y]) - centre)
            weight = 1.0 if oy < chin_y else static_below_chin
            extra.append((ox, oy, z + depth * face_width, weight))
    step = 80
    for x in range(0, WIDTH + 1, step):
        extra.append((x, 0.0, 0.0, 0.0))
        extra.append((x, float(HEIGHT), 0.0, 0.0))
        extra.append((x, min(HEIGHT - 1.0, chin_y + 0.9 * face_width), 0.0, 0.0))
    for y in range(step, HEIGHT, step):
        extra.append((0.0, float(y), 0.0, 0.0))
        extra.append((float(WIDTH), float(y), 0.0, 0.0))
    aux = np.array(extra)
    points = np.vstack([mesh, aux[:, :3]])
    weights = np.concatenate([np.ones(len(mesh)), aux[:, 3]])
    pivot = np.array(
        [centre[0], centre[1] + 0.1 * face_width, mesh[:, 2].mean() + 0.6 * face_width]
    )
    texture = np.dstack([photo.astype(np.float32) / 255.0, mask])
    return _Head(texture, points, weights, _delaunay(points, WIDTH, HEIGHT), pivot, face_width)


def _rotation(yaw: float, pitch: float, roll: float) -> FloatArray:
    """Rotation in image axes (x right, y down, z away) for the subject's own yaw (left +),
    pitch (up +) and roll, in degrees."""
    a, b, c = (math.radians(v) for v in (yaw, pitch, roll))
    r_yaw = np.array([[math.cos(a), 0, -math.sin(a)], [0, 1, 0], [math.sin(a), 0, math.cos(a)]])
    r_pitch = np.array([[1, 0, 0], [0, math.cos(b), math.sin(b)], [0, -math.sin(b), math.cos(b)]])
    r_roll = np.array([[math.cos(c), -math.sin(c), 0], [math.sin(c), math.cos(c), 0], [0, 0, 1]])
    rotation: FloatArray = r_roll @ r_pitch @ r_yaw
    return rotation


def _warp_mesh(
    texture: npt.NDArray[np.float32],
    source: FloatArray,
    target: FloatArray,
    depth: FloatArray,
    triangles: npt.NDArray[np.int32],
) -> npt.NDArray[np.float32]:
    """Piecewise-affine warp; far triangles are drawn first so near ones hide them."""
    height, width = texture.shape[:2]
    ids = np.full((height, width), -1, dtype=np.int32)
    order = np.argsort(-depth[triangles].mean(axis=1))
    inverse = np.zeros((len(triangles), 2, 3), dtype=np.float64)
    for t in order:
        tri = triangles[t]
        dst = target[tri].astype(np.float32)
        area = (dst[1, 0] - dst[0, 0]) * (dst[2, 1] - dst[0, 1]) - (dst[2, 0] - dst[0, 0]) * (
            dst[1, 1] - dst[0, 1]
        )
        if abs(area) < 1e-3:
            continue
        inverse[t] = cv2.getAffineTransform(dst, source[tri].astype(np.float32))
        cv2.fillConvexPoly(ids, np.round(dst).astype(np.int32), (int(t),))
    ys, xs = np.mgrid[0:height, 0:width]
    valid = ids >= 0
    matrices = inverse[np.where(valid, ids, 0)]
    map_x = matrices[..., 0, 0] * xs + matrices[..., 0, 1] * ys + matrices[..., 0, 2]
    map_y = matrices[..., 1, 0] * xs + matrices[..., 1, 1] * ys + matrices[..., 1, 2]
    map_x = np.where(valid, map_x, -10.0).astype(np.float32)
    map_y = np.where(valid, map_y, -10.0).astype(np.float32)
    warped = cv2.remap(texture, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    return np.asarray(warped, dtype=np.float32)


@dataclass(frozen=True)
class _Pose:
    yaw: float = 0.0
    pitch: float = 0.0
    roll: float = 0.0
    dx: float = 0.0
    dy: float = 0.0
    scale: float = 1.0


def _render_head(head: _Head, pose: _Pose) -> npt.NDArray[np.float32]:
    rotation = _rotation(pose.yaw, pose.pitch, pose.roll)
    relative = head.points - head.pivot
    rotated = relative @ rotation.T + head.pivot
    w = head.weights[:, None]
    moved = w * rotated + (1.0 - w) * head.points
    centre = np.array([WIDTH / 2.0, HEIGHT / 2.0])
    target = (moved[:, :2] - centre) * pose.scale + centre + np.array([pose.dx, pose.dy])
    return _warp_mesh(head.texture, head.points[:, :2], target, moved[:, 2], head.triangles)


def turned_portrait(photo: RGBImage, yaw: float, background: float = 0.8) -> RGBImage:
    """``photo`` (a WIDTH x HEIGHT portrait) with the head turned ``yaw`` degrees (the
    subject's left +) on a plain grey background: another photo of the same person, for the
    specimen faces (``face_synthesis``) that need a head turned in its own photo."""
    layer = _render_head(_head_of(photo, "portrait"), _Pose(yaw=yaw))
    plain = np.full((HEIGHT, WIDTH, 3), background, dtype=np.float32)
    out = np.clip(_composite(layer, plain) * 255.0 + 0.5, 0, 255).astype(np.uint8)
    return np.ascontiguousarray(out)


# --------------------------------------------------------------------------------------------
# Scene, light and camera


def _background(rng: random.Random) -> npt.NDArray[np.float32]:
    base = np.array([rng.uniform(0.35, 0.9) for _ in range(3)], dtype=np.float32)
    gradient = np.linspace(rng.uniform(0.8, 1.1), rng.uniform(0.6, 1.0), HEIGHT, dtype=np.float32)
    image = np.ones((HEIGHT, WIDTH, 3), dtype=np.float32) * base * gradient[:, None, None]
    for _ in range(rng.randint(2, 5)):
        x0, y0 = rng.randint(-50, WIDTH), rng.randint(-50, HEIGHT)
        x1, y1 = x0 + rng.randint(40, 260), y0 + rng.randint(40, 320)
        colour = tuple(rng.uniform(0.1, 0.95) for _ in range(3))
        cv2.rectangle(image, (x0, y0), (x1, y1), colour, -1)
    return np.asarray(cv2.GaussianBlur(image, (0, 0), rng.uniform(2.0, 6.0)), dtype=np.float32)


@dataclass(frozen=True)
class _Light:
    gain: float
    gradient_x: float
    gradient_y: float
    tint: tuple[float, float, float]
    gamma: float


def _random_light(rng: random.Random) -> _Light:
    warm = rng.uniform(-0.08, 0.08)
    return _Light(
        gain=rng.uniform(0.75, 1.15),
        gradient_x=rng.uniform(-0.35, 0.35),
        gradient_y=rng.uniform(-0.15, 0.15),
        tint=(1.0 + warm, 1.0, 1.0 - warm),
        gamma=rng.uniform(0.85, 1.2),
    )


def _light(image: npt.NDArray[np.float32], light: _Light) -> npt.NDArray[np.float32]:
    xs = np.linspace(-0.5, 0.5, WIDTH, dtype=np.float32)
    ys = np.linspace(-0.5, 0.5, HEIGHT, dtype=np.float32)
    field = light.gain * (1.0 + light.gradient_x * xs[None, :] + light.gradient_y * ys[:, None])
    lit = image * field[..., None] * np.array(light.tint, dtype=np.float32)
    return np.asarray(np.clip(lit, 0.0, 1.0) ** light.gamma, dtype=np.float32)


def _camera(image: npt.NDArray[np.float32], rng: random.Random, quality: int) -> bytes:
    noise_rng = np.random.default_rng(rng.getrandbits(32))
    sigma = rng.uniform(1.0, 3.5) / 255.0
    noisy = image + noise_rng.normal(0.0, sigma, image.shape).astype(np.float32)
    if rng.random() < 0.3:
        noisy = np.asarray(cv2.GaussianBlur(noisy, (0, 0), rng.uniform(0.4, 0.9)), np.float32)
    rgb = np.clip(noisy * 255.0 + 0.5, 0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


def _composite(
    layer: npt.NDArray[np.float32], background: npt.NDArray[np.float32]
) -> npt.NDArray[np.float32]:
    alpha = layer[..., 3:4]
    return np.asarray(layer[..., :3] * alpha + background * (1.0 - alpha), dtype=np.float32)


# --------------------------------------------------------------------------------------------
# Motion of a head following a challenge


_TARGETS: dict[str, tuple[float, float]] = {
    TURN_LEFT: (1.0, 0.0),
    TURN_RIGHT: (-1.0, 0.0),
    LOOK_UP: (0.0, 1.0),
    LOOK_DOWN: (0.0, -1.0),
}


def _ease(t: float) -> float:
    return 0.5 - 0.5 * math.cos(math.pi * min(max(t, 0.0), 1.0))


# The hosted page (web/static/hosted/flow.js) shows "get ready", then each step, then "get
# ready" again, for SEGMENT_MS each, and grabs at most MAX_FRAMES frames at an even pace (at
# least 200 ms apart). The simulated customer follows that script.
SEGMENT_MS = 1500
MAX_FRAMES = 24


@dataclass(frozen=True)
class _Capture:
    poses: list[_Pose]
    times: list[int]


def _capture_plan(
    challenge: Challenge, rng: random.Random, *, max_frames: int, segment_ms: int
) -> _Capture:
    yaw_amp = rng.uniform(20.0, 32.0)
    pitch_amp = rng.uniform(14.0, 22.0)
    base_roll = rng.uniform(-5.0, 5.0)
    base_pitch = rng.uniform(-4.0, 4.0)
    # Each movement: reaction time, out, hold, back (ms), squeezed into one segment.
    moves: list[tuple[float, float, float, float, float, float]] = []
    for index, step in enumerate(challenge.steps):
        yaw_sign, pitch_sign = _TARGETS[step]
        react, out, hold, back = (
            rng.uniform(200, 450),
            rng.uniform(300, 550),
            rng.uniform(100, 350),
            rng.uniform(300, 550),
        )
        squeeze = min(1.0, (segment_ms - 50 - react) / (out + hold + back))
        start = (index + 1) * segment_ms + react
        peak_yaw = yaw_sign * yaw_amp * rng.uniform(0.85, 1.1)
        moves.append(
            (start, out * squeeze, hold * squeeze, back * squeeze, peak_yaw, pitch_sign * pitch_amp)
        )
    total = (len(challenge.steps) + 2) * segment_ms
    interval = max(200, math.ceil(total / max_frames))
    poses: list[_Pose] = []
    times: list[int] = []
    at = 0.0
    dx = dy = 0.0
    while at < total and len(times) < max_frames:
        yaw = pitch = 0.0
        for start, out, hold, back, peak_yaw, peak_pitch in moves:
            t = at - start
            if t <= 0 or t >= out + hold + back:
                continue
            if t < out:
                weight = _ease(t / out)
            elif t < out + hold:
                weight = 1.0
            else:
                weight = 1.0 - _ease((t - out - hold) / back)
            yaw += peak_yaw * weight
            pitch += peak_pitch * weight
        dx += rng.gauss(0.0, 2.0)
        dy += rng.gauss(0.0, 2.0)
        poses.append(
            _Pose(
                yaw=yaw + rng.gauss(0.0, 1.0),
                pitch=base_pitch + pitch + rng.gauss(0.0, 1.0),
                roll=base_roll + rng.gauss(0.0, 1.0) + 0.1 * yaw,
                dx=dx,
                dy=dy,
                scale=1.0 + rng.gauss(0.0, 0.01),
            )
        )
        times.append(round(at))
        # Grabbing and encoding a frame sometimes takes longer than the pace allows.
        at += interval + max(0.0, rng.gauss(5.0, 15.0))
    return _Capture(poses, times)


# --------------------------------------------------------------------------------------------
# Public API


def _genuine_frames(face: SourceFace, plan: _Capture, rng: random.Random) -> list[bytes]:
    head = _head(face)
    background = _background(rng)
    light = _random_light(rng)
    quality = rng.randint(78, 92)
    frames = []
    for pose in plan.poses:
        image = _light(_composite(_render_head(head, pose), background), light)
        frames.append(_camera(image, rng, quality))
    return frames


def render_selfie(face: SourceFace, seed: int) -> bytes:
    """One JPEG selfie of ``face``: re-posed (small yaw, pitch, roll), re-lit, new background."""
    rng = random.Random(f"selfie:{face.face_id}:{seed}")
    pose = _Pose(
        yaw=rng.uniform(-12.0, 12.0),
        pitch=rng.uniform(-8.0, 8.0),
        roll=rng.uniform(-8.0, 8.0),
        dx=rng.uniform(-25.0, 25.0),
        dy=rng.uniform(-20.0, 20.0),
        scale=rng.uniform(0.85, 1.1),
    )
    image = _composite(_render_head(_head(face), pose), _background(rng))
    return _camera(_light(image, _random_light(rng)), rng, rng.randint(75, 92))


def render_selfie_frames(
    face: SourceFace,
    challenge: Challenge,
    seed: int,
    *,
    attack: str | None = None,
    max_frames: int = MAX_FRAMES,
    segment_ms: int = SEGMENT_MS,
) -> tuple[list[bytes], list[int]]:
    """A burst of JPEG frames and their capture times (ms) answering ``challenge`` the way the
    hosted page records it, or one of the simulated attacks in :data:`ATTACKS`."""
    rng = random.Random(f"burst:{face.face_id}:{seed}:{attack}:{challenge.steps}")
    plan = _capture_plan(challenge, rng, max_frames=max_frames, segment_ms=segment_ms)
    if attack is None:
        frames = _genuine_frames(face, plan, rng)
    elif attack == "replay":
        other = _other_challenge(challenge, rng)
        recorded = _capture_plan(other, rng, max_frames=max_frames, segment_ms=segment_ms)
        frames = _genuine_frames(face, recorded, rng)[: len(plan.times)]
        return frames, plan.times[: len(frames)]
    elif attack == "injection":
        frames = [render_selfie(face, seed)] * len(plan.times)
    elif attack in ("print", "screen"):
        frames = _flat_attack_frames(face, plan, rng, screen=attack == "screen")
    else:
        raise ValueError(f"unknown attack {attack!r}; expected one of {ATTACKS}")
    return frames, plan.times


def _other_challenge(challenge: Challenge, rng: random.Random) -> Challenge:
    while True:
        steps = list(STEPS)
        rng.shuffle(steps)
        other = tuple(steps[: len(challenge.steps)])
        if other != challenge.steps:
            return Challenge(steps=other)


# --------------------------------------------------------------------------------------------
# Flat attacks: a printed photo or a phone screen held in front of the camera


def _print_sheet(face: SourceFace, rng: random.Random) -> npt.NDArray[np.float32]:
    portrait = face.portrait(300, 400).astype(np.float32) / 255.0
    grey = portrait.mean(axis=2, keepdims=True)
    saturation = rng.uniform(0.4, 0.9)
    ink = grey + saturation * (portrait - grey)
    ink = 0.08 + 0.84 * ink**0.9  # paper never reaches black or full white
    period = rng.choice([3, 4])
    ys, xs = np.mgrid[0:400, 0:300]
    dots = 0.92 + 0.08 * np.cos(2 * np.pi * xs / period) * np.cos(2 * np.pi * ys / period)
    sheet = np.ones((440, 340, 3), dtype=np.float32) * np.array([0.95, 0.94, 0.9], np.float32)
    sheet[20:420, 20:320] = ink * dots[..., None]
    return sheet


def _phone(face: SourceFace, rng: random.Random) -> npt.NDArray[np.float32]:
    portrait = face.portrait(300, 400).astype(np.float32) / 255.0
    grey = portrait.mean(axis=2, keepdims=True)
    screen = grey + rng.uniform(0.6, 0.85) * (portrait - grey)  # gamut compression
    screen = 0.06 + 0.9 * screen * np.array([0.95, 0.98, 1.05], np.float32)
    ys, xs = np.mgrid[0:400, 0:300]
    # RGB sub-pixel stripes: after the camera resamples them they beat into moiré.
    stripes = np.stack([(xs % 3 == k).astype(np.float32) for k in range(3)], axis=-1)
    screen = screen * (0.55 + 0.9 * stripes) * (0.9 + 0.1 * (ys % 3 != 0))[..., None]
    cy, cx = rng.uniform(80, 320), rng.uniform(60, 240)
    glare = np.exp(-(((xs - cx) / 90.0) ** 2 + ((ys - cy) / 60.0) ** 2))
    screen = screen + rng.uniform(0.25, 0.5) * glare[..., None]
    body = np.full((460, 336, 3), 0.05, dtype=np.float32)
    body[30:430, 18:318] = np.clip(screen, 0.0, 1.0)
    return body


def _flat_attack_frames(
    face: SourceFace, plan: _Capture, rng: random.Random, *, screen: bool
) -> list[bytes]:
    sheet = _phone(face, rng) if screen else _print_sheet(face, rng)
    sheet_h, sheet_w = sheet.shape[:2]
    background = _background(rng)
    light = _random_light(rng)
    quality = rng.randint(78, 92)
    size = rng.uniform(0.75, 1.0) * WIDTH
    corners = np.array(
        [[-0.5, -0.5, 0.0], [0.5, -0.5, 0.0], [0.5, 0.5, 0.0], [-0.5, 0.5, 0.0]]
    ) * np.array([size, size * sheet_h / sheet_w, 0.0])
    focal = rng.uniform(0.9, 1.4) * WIDTH
    distance = focal * rng.uniform(1.0, 1.2)
    source = np.array([[0, 0], [sheet_w, 0], [sheet_w, sheet_h], [0, sheet_h]], np.float32)
    frames = []
    # The attacker tilts the sheet the way the challenge asks, as far as a flat sheet can go.
    for pose in plan.poses:
        rotation = _rotation(pose.yaw * 1.2, pose.pitch * 1.2, pose.roll)
        placed = corners @ rotation.T + np.array([0.0, 0.0, distance])
        projected = focal * placed[:, :2] / placed[:, 2:3] + np.array(
            [WIDTH / 2 + pose.dx, HEIGHT / 2 + pose.dy]
        )
        matrix = cv2.getPerspectiveTransform(source, projected.astype(np.float32))
        warped = cv2.warpPerspective(sheet, matrix, (WIDTH, HEIGHT), flags=cv2.INTER_LINEAR)
        mask = cv2.warpPerspective(
            np.ones((sheet_h, sheet_w), np.float32), matrix, (WIDTH, HEIGHT)
        )[..., None]
        image = warped * mask + background * (1.0 - mask)
        frames.append(_camera(_light(np.asarray(image, np.float32), light), rng, quality))
    return frames
