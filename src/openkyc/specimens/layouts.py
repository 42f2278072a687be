"""Flat artwork of each specimen document kind, drawn in millimetres at ``PX_PER_MM``.

Every draw varies by the seeded ``rng`` (fonts, tints, small offsets, MRZ pitch and ink) so that
the reader is not tuned to one exact picture. Layouts follow the ICAO 9303 zones (TD3 data page
125 x 88 mm, TD2 card 105 x 74 mm, TD1 card 85.6 x 54 mm, visa stickers MRV-A 120 x 80 mm and
MRV-B 105 x 74 mm on a 125 x 88 mm passport page) and the Russian internal passport spread (two
88 x 125 mm pages, one above the other).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw, ImageFont

from openkyc.specimens import mrz_generate
from openkyc.verification.document.dates import to_yymmdd

from . import fonts
from .identities import SpecimenIdentity
from .styles import LayoutStyle, mirrored_x, security_print, text_width_mm

RGBImage = npt.NDArray[np.uint8]
PX_PER_MM = 10


class PortraitSource(Protocol):
    """What a document needs from a face: :class:`openkyc.specimens.faces.SourceFace` fits."""

    @property
    def face_id(self) -> str: ...

    def portrait(self, width: int, height: int) -> RGBImage: ...


@dataclass(frozen=True, slots=True)
class FlatDocument:
    front: RGBImage
    back: RGBImage | None
    mrz_lines: tuple[str, ...]
    mrz_on_back: bool
    portrait_box: tuple[int, int, int, int]  # x, y, w, h on the flat front
    mrz_box: tuple[int, int, int, int]  # on the flat side that carries the zone
    printed: dict[str, str] = field(default_factory=dict)


def mm(value: float) -> int:
    return round(value * PX_PER_MM)


def _date(value: dt.date) -> str:
    return value.strftime("%d.%m.%Y")


def mrz_lines_for(identity: SpecimenIdentity, visa_size: str = "A") -> tuple[str, ...]:
    """The exact zone the document carries: this is the ground truth the reader must return.
    ``visa_size`` picks MRV-A (2 x 44) or MRV-B (2 x 36) for a visa."""
    birth = to_yymmdd(identity.birth_date)
    expiry = to_yymmdd(identity.expiry_date) if identity.expiry_date else "<<<<<<"
    if identity.kind == "ru_internal_passport":
        return mrz_generate.ru_internal(
            surname=identity.surname_cyrillic,
            given_name=identity.given_names_cyrillic,
            patronymic=identity.patronymic,
            series=identity.number[:4],
            number=identity.number[4:],
            birth_date=birth,
            sex=identity.sex,
            issue_date=to_yymmdd(identity.issue_date),
            department_code=identity.department_code,
        )
    common = {
        "document_code": identity.document_code,
        "issuing_country": identity.issuing_country,
        "surname": identity.surname,
        "given_names": identity.given_names,
        "number": identity.number,
        "nationality": identity.nationality,
        "birth_date": birth,
        "sex": identity.sex,
        "expiry_date": expiry,
        "optional": identity.personal_number,
    }
    if identity.kind in ("kz_id_card", "td1_id_card"):
        return mrz_generate.td1(**common)
    if identity.kind == "td2_document":
        return mrz_generate.td2(**common)
    if identity.kind == "visa":
        return mrz_generate.mrv(size=visa_size, **common)
    if identity.kind == "fr_id_card":
        return mrz_generate.french_id(
            surname=identity.surname,
            given_names=identity.given_names,
            number=identity.number,
            birth_date=birth,
            sex=identity.sex,
            office=identity.authority,
        )
    return mrz_generate.td3(**common)


def _guilloche(width: int, height: int, rng: random.Random) -> RGBImage:
    """Pastel security-print background: fine interfering sine curves on tinted paper."""
    paper = np.array([rng.randint(226, 246), rng.randint(222, 242), rng.randint(212, 238)], float)
    ink = paper - np.array([rng.randint(20, 60), rng.randint(10, 50), rng.randint(5, 45)], float)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32) / PX_PER_MM
    f1, f2, f3 = (rng.uniform(0.05, 0.25) for _ in range(3))
    wave = np.sin(xx * f1 + rng.uniform(1, 4) * np.sin(yy * f2)) + np.sin(
        yy * f3 + rng.uniform(1, 4) * np.sin(xx * f1 * 0.7)
    )
    strength = (np.abs(np.sin(wave * rng.uniform(3, 7))) < 0.12).astype(np.float32)
    strength *= rng.uniform(0.35, 0.8)
    image = (
        paper[None, None, :] * (1 - strength[..., None]) + ink[None, None, :] * strength[..., None]
    )
    return np.asarray(np.clip(image, 0, 255), dtype=np.uint8)


def _printed_portrait(
    face: PortraitSource, width: int, height: int, rng: random.Random
) -> Image.Image:
    """The face as printed on a document: mostly grey, flattened contrast, lifted blacks."""
    rgb = face.portrait(width, height).astype(np.float32)
    grey = rgb @ np.array([0.299, 0.587, 0.114], np.float32)
    colour_keep = rng.choice((0.0, 0.0, 0.3, 0.7))
    mixed = rgb * colour_keep + grey[..., None] * (1 - colour_keep)
    contrast = rng.uniform(0.65, 0.9)
    mixed = 128 + (mixed - 128) * contrast + rng.uniform(5, 25)
    return Image.fromarray(np.clip(mixed, 0, 255).astype(np.uint8))


class _Page:
    """A drawing surface with millimetre helpers and one seeded style."""

    def __init__(
        self,
        width_mm: float,
        height_mm: float,
        rng: random.Random,
        *,
        cyrillic: bool,
        style: LayoutStyle | None = None,
    ):
        self.rng = rng
        self.image = Image.fromarray(_guilloche(mm(width_mm), mm(height_mm), rng))
        self.draw = ImageDraw.Draw(self.image)
        faces = fonts.available(fonts.CYRILLIC_FACES if cyrillic else fonts.LATIN_FACES)
        self.label_face = rng.choice(faces)
        self.value_face = rng.choice(faces)
        self.label_colour = (rng.randint(60, 120), rng.randint(40, 100), rng.randint(60, 130))
        shade = rng.randint(10, 45)
        self.value_colour = (shade, shade, shade + rng.randint(0, 25))
        self.dx = rng.uniform(-1.0, 1.0)
        self.dy = rng.uniform(-0.8, 0.8)
        # Variety (issue 26) is drawn after, and from the style's own generator, so the classic
        # draws above stay the same for a given seed.
        self.style = style
        self.width_mm = width_mm
        self.photo_right = style is not None and style.photo_right
        self.text_shift = 0.0
        if style is not None:
            self.image = Image.fromarray(
                security_print(mm(width_mm), mm(height_mm), style, PX_PER_MM)
            )
            self.draw = ImageDraw.Draw(self.image)
            faces = style.faces(cyrillic)
            self.label_face = style.rng.choice(faces)
            self.value_face = style.rng.choice(faces)

    def _font(self, face: str, size_mm: float) -> ImageFont.FreeTypeFont:
        return fonts.load(face, max(8, mm(size_mm)))

    def label(self, x: float, y: float, text: str, size: float = 1.9) -> None:
        font = self._font(self.label_face, size)
        self.draw.text((mm(x + self.dx), mm(y + self.dy)), text, font=font, fill=self.label_colour)

    def value(self, x: float, y: float, text: str, size: float = 3.0) -> None:
        font = self._font(self.value_face, size)
        self.draw.text((mm(x + self.dx), mm(y + self.dy)), text, font=font, fill=self.value_colour)

    def field(self, x: float, y: float, label: str, value: str, size: float = 3.0) -> None:
        style = self.style
        if style is None:
            self.label(x, y, label)
            self.value(x, y + 2.3, value, size)
            return
        x += self.text_shift
        label = label.upper() if style.upper_labels else label
        label_w = text_width_mm(label, self.label_face, 1.9, PX_PER_MM)
        if style.label_place == "below":
            self.value(x, y, value, size)
            self.label(x, y + size * 1.1 + 0.2, label)
        elif style.label_place == "inline" and label_w < 30:
            self.label(x, y + 0.4 + (size - 1.9) * 0.5, label)
            self.value(x + label_w + 1.5, y, value, size)
        else:
            self.label(x, y, label)
            self.value(x, y + style.label_gap, value, size)

    def band(self, y: float, height: float, colour: tuple[int, int, int]) -> None:
        self.draw.rectangle((0, mm(y), self.image.width, mm(y + height)), fill=colour)

    def portrait(
        self, face: PortraitSource, x: float, y: float, w: float, h: float
    ) -> tuple[int, int, int, int]:
        if self.photo_right:
            # The photo on the other side; the text column moves left into its place.
            self.text_shift = -(w + 1.0)
            x = mirrored_x(x, w, self.width_mm)
        box = (mm(x + self.dx), mm(y + self.dy), mm(w), mm(h))
        self.image.paste(_printed_portrait(face, box[2], box[3], self.rng), (box[0], box[1]))
        return box

    def mrz(
        self, lines: tuple[str, ...], left: float, top: float, pitch: float, line_gap: float
    ) -> tuple[int, int, int, int]:
        """Draw the zone in OCR-B at ``pitch`` mm per character; returns its box."""
        face = fonts.OCR_B
        if self.style is not None and fonts.font_path(self.style.zone_face) is not None:
            face = self.style.zone_face
        probe = fonts.load(face, 100)
        advance = probe.getlength("<") / 100
        pitch *= self.rng.uniform(0.97, 1.03)
        font = fonts.load(face, max(8, round(mm(pitch) / advance)))
        ink = self.rng.randint(0, 50)
        colour = (ink, ink, ink + self.rng.randint(0, 40))
        stroke = 1 if self.rng.random() < 0.2 and pitch > 2.0 else 0
        if self.style is not None and self.style.zone_bold and pitch > 2.0:
            stroke = 1
        x0, y0 = mm(left + self.dx), mm(top + self.dy)
        for i, line in enumerate(lines):
            self.draw.text((x0, y0 + mm(i * line_gap)), line, font=font, fill=colour,
                           stroke_width=stroke, stroke_fill=colour)  # fmt: skip
        width = round(font.getlength(lines[0]))
        height = mm(line_gap * (len(lines) - 1)) + round(font.size)
        return x0, y0, width, height

    def array(self) -> RGBImage:
        return np.asarray(self.image, dtype=np.uint8).copy()


def _td3_page(
    identity: SpecimenIdentity,
    face: PortraitSource,
    rng: random.Random,
    style: LayoutStyle | None = None,
) -> FlatDocument:
    kind = identity.kind
    cyrillic = kind in ("ru_international_passport", "kz_passport")
    page = _Page(125, 88, rng, cyrillic=cyrillic, style=style)
    band = (rng.randint(120, 200), rng.randint(60, 140), rng.randint(60, 160))
    page.band(0, rng.uniform(6, 9), band)
    printed: dict[str, str] = {}
    if kind == "ru_international_passport":
        page.value(30, 1.5, "РОССИЙСКАЯ ФЕДЕРАЦИЯ / RUSSIAN FEDERATION", 2.6)
        labels = ("Фамилия / Surname", "Имя / Given names", "Гражданство / Nationality",
                  "Дата рождения / Date of birth", "Пол / Sex", "Дата выдачи / Date of issue",
                  "Дата окончания срока действия / Date of expiry", "Паспорт № / Passport No.")  # fmt: skip
        surname = f"{identity.surname_cyrillic} / {identity.surname}"
        given = f"{identity.given_names_cyrillic} / {identity.given_names}"
        nationality = "РОССИЙСКАЯ ФЕДЕРАЦИЯ / RUS"
    elif kind == "kz_passport":
        page.value(24, 1.5, "ҚАЗАҚСТАН РЕСПУБЛИКАСЫ / REPUBLIC OF KAZAKHSTAN", 2.6)
        labels = ("Тегі / Фамилия / Surname", "Аты / Имя / Given names", "Азаматтығы / Nationality",
                  "Туған күні / Date of birth", "Жынысы / Sex", "Берілген күні / Date of issue",
                  "Қолданылу мерзімі / Date of expiry", "Паспорт № / Passport No.")  # fmt: skip
        surname = f"{identity.surname_cyrillic} / {identity.surname}"
        given = f"{identity.given_names_cyrillic} / {identity.given_names}"
        nationality = "ҚАЗАҚСТАН / KAZ"
        page.field(88, 32, "ЖСН / ИИН / Personal No.", identity.personal_number, 2.8)
    else:
        page.value(35, 1.5, f"PASSPORT  {identity.issuing_country}", 3.2)
        labels = ("Surname / Nom", "Given names / Prénoms", "Nationality / Nationalité",
                  "Date of birth", "Sex", "Date of issue", "Date of expiry", "Passport No.")  # fmt: skip
        surname, given, nationality = identity.surname, identity.given_names, identity.nationality
    printed.update(surname=identity.surname_cyrillic, given_names=identity.given_names_cyrillic)
    portrait_box = page.portrait(face, rng.uniform(4, 7), rng.uniform(14, 18), 32, 42)
    x = 42.0
    assert identity.expiry_date is not None
    page.field(x, 11, labels[7], identity.number, 3.2)
    page.field(x, 18, labels[0], surname)
    page.field(x, 25.5, labels[1], given)
    page.field(x, 33, labels[2], nationality, 2.6)
    page.field(x, 40, labels[3], _date(identity.birth_date))
    page.field(x + 34, 40, labels[4], identity.sex)
    page.field(x, 47, labels[5], _date(identity.issue_date))
    page.field(x, 54, labels[6], _date(identity.expiry_date))
    lines = mrz_lines_for(identity)
    pitch = rng.uniform(2.35, 2.54)
    left = (125 - pitch * 44) / 2 + rng.uniform(-1, 1)
    mrz_box = page.mrz(lines, left, rng.uniform(68, 71), pitch, rng.uniform(4.6, 5.4))
    return FlatDocument(page.array(), None, lines, False, portrait_box, mrz_box, printed)


def _td1_card(
    identity: SpecimenIdentity,
    face: PortraitSource,
    rng: random.Random,
    style: LayoutStyle | None = None,
) -> FlatDocument:
    kazakh = identity.kind == "kz_id_card"
    front = _Page(85.6, 54, rng, cyrillic=kazakh, style=style)
    band = (rng.randint(40, 120), rng.randint(110, 180), rng.randint(150, 220))
    front.band(0, 6, band)
    assert identity.expiry_date is not None
    if kazakh:
        front.value(10, 1.2, "ҚАЗАҚСТАН РЕСПУБЛИКАСЫ  ЖЕКЕ КУӘЛІК", 2.3)
        rows = (("ТЕГІ / ФАМИЛИЯ", identity.surname_cyrillic), ("АТЫ / ИМЯ", identity.given_names_cyrillic),
                ("ӘКЕСІНІҢ АТЫ / ОТЧЕСТВО", identity.patronymic),
                ("ТУҒАН КҮНІ / ДАТА РОЖДЕНИЯ", _date(identity.birth_date)),
                ("ЖСН / ИИН", identity.personal_number))  # fmt: skip
    else:
        front.value(10, 1.2, f"IDENTITY CARD  {identity.issuing_country}", 2.6)
        rows = (("SURNAME", identity.surname), ("GIVEN NAMES", identity.given_names),
                ("SEX", identity.sex), ("DATE OF BIRTH", _date(identity.birth_date)),
                ("DOCUMENT NO.", identity.number))  # fmt: skip
    portrait_box = front.portrait(face, rng.uniform(3, 5), rng.uniform(9, 11), 24, 31)
    for i, (label, value) in enumerate(rows):
        front.field(31, 8 + i * 8.3, label, value, 2.7)
    back = _Page(85.6, 54, rng, cyrillic=kazakh, style=style)
    if kazakh:
        back.field(4, 3, "ТУҒАН ЖЕРІ / МЕСТО РОЖДЕНИЯ", identity.place_of_birth, 2.4)
        back.field(4, 10, "БЕРІЛГЕН КҮНІ / ДАТА ВЫДАЧИ", _date(identity.issue_date), 2.4)
        back.field(45, 10, "ҚОЛДАНЫЛУ МЕРЗІМІ / СРОК", _date(identity.expiry_date), 2.4)
        back.field(4, 17, "БЕРГЕН ОРГАН / ОРГАН ВЫДАЧИ", identity.authority, 2.4)
    else:
        back.field(4, 3, "DATE OF ISSUE", _date(identity.issue_date), 2.4)
        back.field(45, 3, "DATE OF EXPIRY", _date(identity.expiry_date), 2.4)
        back.field(4, 11, "NATIONALITY", identity.nationality, 2.4)
    lines = mrz_lines_for(identity)
    pitch = rng.uniform(2.4, 2.54)
    left = (85.6 - pitch * 30) / 2 + rng.uniform(-0.7, 0.7)
    mrz_box = back.mrz(lines, left, rng.uniform(34, 36), pitch, rng.uniform(4.4, 5.0))
    printed = {"surname": identity.surname_cyrillic, "given_names": identity.given_names_cyrillic,
               "patronymic": identity.patronymic}  # fmt: skip
    return FlatDocument(front.array(), back.array(), lines, True, portrait_box, mrz_box, printed)


def _ru_internal_spread(
    identity: SpecimenIdentity,
    face: PortraitSource,
    rng: random.Random,
    style: LayoutStyle | None = None,
) -> FlatDocument:
    top = _Page(88, 125, rng, cyrillic=True, style=style)
    bottom = _Page(88, 125, rng, cyrillic=True, style=style)
    series = f"{identity.number[:2]} {identity.number[2:4]}"
    top.label(6, 8, "Паспорт выдан", 2.2)
    top.value(6, 12, identity.authority, 2.8)
    top.field(6, 30, "Дата выдачи", _date(identity.issue_date))
    top.field(45, 30, "Код подразделения", identity.department_code)
    top.label(6, 45, "Личная подпись", 2.0)
    portrait_box = bottom.portrait(face, rng.uniform(4, 7), rng.uniform(26, 30), 30, 40)
    x = 40.0
    bottom.field(x, 24, "Фамилия", identity.surname_cyrillic, 3.2)
    bottom.field(x, 33, "Имя", identity.given_names_cyrillic, 3.2)
    bottom.field(x, 41, "Отчество", identity.patronymic, 3.2)
    bottom.field(x, 49, "Пол", "МУЖ." if identity.sex == "M" else "ЖЕН.", 3.0)
    bottom.field(x + 20, 49, "Дата рождения", _date(identity.birth_date), 3.0)
    bottom.field(x, 57, "Место рождения", identity.place_of_birth, 3.0)
    lines = mrz_lines_for(identity)
    pitch = rng.uniform(1.74, 1.84)
    left = (88 - pitch * 44) / 2 + rng.uniform(-0.4, 0.4)
    mrz_box = bottom.mrz(lines, left, rng.uniform(106, 109), pitch, rng.uniform(4.6, 5.4))
    spread = Image.new("RGB", (mm(88), mm(250)))
    spread.paste(top.image, (0, 0))
    spread.paste(bottom.image, (0, mm(125)))
    draw = ImageDraw.Draw(spread)
    # The red series and number, printed vertically down the outer edge of both pages.
    number_font = fonts.load(fonts.CYRILLIC_FACES[0], mm(3.4))
    for page_top in (0, mm(125)):
        strip = Image.new("RGBA", (mm(60), mm(5)), (0, 0, 0, 0))
        ImageDraw.Draw(strip).text((0, 0), f"{series} {identity.number[4:]}", font=number_font,
                                   fill=(190, 30, 40, 255))  # fmt: skip
        spread.paste(strip.rotate(90, expand=True), (mm(82), page_top + mm(35)),
                     strip.rotate(90, expand=True))  # fmt: skip
    # The fold between the pages.
    draw.line((0, mm(125), mm(88), mm(125)), fill=(150, 140, 130), width=3)
    x0, y0, w, h = mrz_box
    printed = {"surname": identity.surname_cyrillic, "given_names": identity.given_names_cyrillic,
               "patronymic": identity.patronymic}  # fmt: skip
    shifted_portrait = (
        portrait_box[0],
        portrait_box[1] + mm(125),
        portrait_box[2],
        portrait_box[3],
    )
    array = np.asarray(spread, dtype=np.uint8).copy()
    return FlatDocument(
        array, None, lines, False, shifted_portrait, (x0, y0 + mm(125), w, h), printed
    )


def _td2_card(
    identity: SpecimenIdentity,
    face: PortraitSource,
    rng: random.Random,
    style: LayoutStyle | None = None,
) -> FlatDocument:
    """A TD2 card (105 x 74 mm): everything on the front, the 2 x 36 zone along its bottom."""
    page = _Page(105, 74, rng, cyrillic=False, style=style)
    band = (rng.randint(60, 150), rng.randint(90, 170), rng.randint(120, 210))
    page.band(0, rng.uniform(6, 8), band)
    assert identity.expiry_date is not None
    title = {"IR": "RESIDENCE PERMIT", "AC": "CREW MEMBER CERTIFICATE"}.get(
        identity.document_code, "IDENTITY CARD"
    )
    if identity.kind == "fr_id_card":
        title = "CARTE NATIONALE D'IDENTITÉ"
    page.value(rng.uniform(22, 30), 1.4, f"{title}  {identity.issuing_country}", 3.0)
    portrait_box = page.portrait(face, rng.uniform(4, 6), rng.uniform(11, 13), 27, 35)
    x = 36.0
    page.field(x, 9, "SURNAME / NOM", identity.surname, 2.9)
    page.field(x, 16, "GIVEN NAMES / PRÉNOMS", identity.given_names, 2.9)
    page.field(x, 23, "SEX", identity.sex, 2.7)
    page.field(x + 12, 23, "NATIONALITY", identity.nationality, 2.7)
    page.field(x + 38, 23, "DATE OF BIRTH", _date(identity.birth_date), 2.7)
    page.field(x, 30, "DOCUMENT NO.", identity.number, 2.9)
    page.field(x + 38, 30, "DATE OF EXPIRY", _date(identity.expiry_date), 2.7)
    page.field(x, 37, "DATE OF ISSUE", _date(identity.issue_date), 2.7)
    if identity.personal_number:
        page.field(x + 38, 37, "PERSONAL NO.", identity.personal_number, 2.7)
    page.label(x, 45, "SIGNATURE", 1.8)
    lines = mrz_lines_for(identity)
    pitch = rng.uniform(2.4, 2.54)
    left = (105 - pitch * 36) / 2 + rng.uniform(-0.8, 0.8)
    mrz_box = page.mrz(lines, left, rng.uniform(56, 58), pitch, rng.uniform(4.6, 5.2))
    return FlatDocument(page.array(), None, lines, False, portrait_box, mrz_box)


def _visa_page(
    identity: SpecimenIdentity,
    face: PortraitSource,
    rng: random.Random,
    style: LayoutStyle | None = None,
) -> FlatDocument:
    """A visa sticker on a passport's visa page; MRV-A (120 x 80 mm) or MRV-B (105 x 74 mm)."""
    size = "A" if rng.random() < 0.5 else "B"
    sticker_w, sticker_h, chars = (120.0, 80.0, 44) if size == "A" else (105.0, 74.0, 36)
    page = _Page(125, 88, rng, cyrillic=False, style=style)
    page.label(rng.uniform(55, 65), 1.2, str(rng.randrange(4, 33)), 2.6)  # the page number
    sticker = _Page(sticker_w, sticker_h, rng, cyrillic=False, style=style)
    # The visa's red number sits top right: its photo stays on the left.
    sticker.photo_right = False
    assert identity.expiry_date is not None
    sticker.band(
        0, rng.uniform(5, 7), (rng.randint(90, 170), rng.randint(40, 110), rng.randint(90, 180))
    )
    sticker.value(rng.uniform(25, 35), 1.0, f"VISA  {identity.issuing_country}", 3.2)
    sticker.draw.text((mm(sticker_w - 30), mm(8.5)), identity.number,
                      font=fonts.load(fonts.available(fonts.LATIN_FACES)[0], mm(3.4)),
                      fill=(170, 30, 40))  # fmt: skip
    portrait_box = sticker.portrait(face, rng.uniform(3, 5), rng.uniform(13, 15), 27, 35)
    x = 35.0
    entries = rng.choice(("MULT", "1", "2"))
    stay = (identity.expiry_date - identity.issue_date).days
    sticker.field(x, 8, "VALID FOR", rng.choice(("SCHENGEN STATES", identity.issuing_country)), 2.5)
    sticker.field(x, 15, "FROM", _date(identity.issue_date), 2.5)
    sticker.field(x + 26, 15, "UNTIL", _date(identity.expiry_date), 2.5)
    sticker.field(x, 22, "TYPE OF VISA", identity.document_code[1].replace("<", "C"), 2.5)
    sticker.field(x + 26, 22, "NUMBER OF ENTRIES", entries, 2.5)
    sticker.field(x, 29, "ISSUED ON", _date(identity.issue_date), 2.5)
    sticker.field(x + 26, 29, "PASSPORT NUMBER", _passport_number_text(rng), 2.5)
    sticker.field(x, 36, "SURNAME, NAME", f"{identity.surname}, {identity.given_names}", 2.6)
    sticker.field(x, 43, "REMARKS", identity.personal_number, 2.5)
    sticker.field(x + 26, 43, "DURATION OF STAY", f"{min(stay, 90)} DAYS", 2.5)
    lines = mrz_lines_for(identity, size)
    pitch = rng.uniform(2.4, 2.54)
    left = (sticker_w - pitch * chars) / 2 + rng.uniform(-0.8, 0.8)
    top = sticker_h - rng.uniform(16, 17.5)
    mrz_box = sticker.mrz(lines, left, top, pitch, rng.uniform(4.6, 5.2))
    # The sticker's printed edge: a thin darker frame around its own security print.
    edge = tuple(max(0, c - 40) for c in sticker.label_colour)
    sticker.draw.rectangle((0, 0, sticker.image.width - 1, sticker.image.height - 1),
                           outline=edge, width=2)  # fmt: skip
    ox = mm(rng.uniform(2, 125 - sticker_w - 2))
    oy = mm(88 - sticker_h - rng.uniform(2, 5))
    page.image.paste(sticker.image, (ox, oy))
    px, py, pw, ph = portrait_box
    zx, zy, zw, zh = mrz_box
    return FlatDocument(page.array(), None, lines, False, (px + ox, py + oy, pw, ph),
                        (zx + ox, zy + oy, zw, zh))  # fmt: skip


def _passport_number_text(rng: random.Random) -> str:
    """The holder's passport number, printed on the sticker (the zone carries the visa's own
    number, printed in red); the specimen's identity has no passport, so one is made up."""
    letters = "".join(rng.choice("ABCEHKMPTX") for _ in range(2))
    return letters + "".join(rng.choice("0123456789") for _ in range(7))


def draw_document(
    identity: SpecimenIdentity,
    face: PortraitSource,
    rng: random.Random,
    style: LayoutStyle | None = None,
) -> FlatDocument:
    """The flat artwork; ``style`` adds layout variety (None: the classic layouts)."""
    if identity.kind == "ru_internal_passport":
        return _ru_internal_spread(identity, face, rng, style)
    if identity.kind in ("td2_document", "fr_id_card"):
        # The French card of 1988-2021 is of the TD2 size, its own zone along the bottom.
        return _td2_card(identity, face, rng, style)
    if identity.kind == "visa":
        return _visa_page(identity, face, rng, style)
    if identity.kind in ("kz_id_card", "td1_id_card"):
        return _td1_card(identity, face, rng, style)
    return _td3_page(identity, face, rng, style)
