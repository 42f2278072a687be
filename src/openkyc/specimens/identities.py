"""Random but plausible identity data for specimen documents.

Name lists deliberately cover every letter of the Russian internal passport table (Ё, Й, Щ, Ъ, Ы,
Ь, Э, Ю, Я among them) and the Kazakh letters, so that the codec is exercised end to end.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, replace

from openkyc.verification.document.transliteration import to_icao_latin


@dataclass(frozen=True, slots=True)
class SpecimenIdentity:
    """Everything printed on a specimen document. Latin names are as the MRZ writes them
    (upper case, spaces between parts); Cyrillic fields are empty where the document has none."""

    kind: str
    surname: str
    given_names: str
    sex: str  # M or F
    birth_date: dt.date
    nationality: str  # alpha-3 (Germany: "D")
    issuing_country: str
    number: str
    issue_date: dt.date
    expiry_date: dt.date | None
    surname_cyrillic: str = ""
    given_names_cyrillic: str = ""
    patronymic: str = ""
    personal_number: str = ""  # the Kazakh IIN, or another state's personal number
    department_code: str = ""  # Russian internal passport: NNN-NNN
    place_of_birth: str = ""
    authority: str = ""
    document_code: str = "P<"


_RU_SURNAMES = (
    "Иванов", "Петров", "Щукин", "Соловьёв", "Воробьёв", "Юсупов", "Яковлев", "Эльдаров",
    "Подъячев", "Шишкин", "Чернышёв", "Кузьмин", "Быков", "Журавлёв", "Зайцев", "Лебедев",
    "Белоусов", "Цветков", "Хабибуллин", "Фёдоров", "Григорьев", "Объедков", "Ильин",
    "Константинопольский", "Мещеряков", "Рыбаков", "Дьячков", "Тимофеев", "Гончаров",
)  # fmt: skip
_RU_MALE = (
    "Иван", "Пётр", "Алексей", "Дмитрий", "Сергей", "Юрий", "Андрей", "Николай", "Артём",
    "Семён", "Фёдор", "Эдуард", "Ярослав", "Вячеслав", "Илья", "Григорий", "Михаил", "Тимофей",
    "Валерий", "Максим", "Олег", "Кирилл",
)  # fmt: skip
_RU_FEMALE = (
    "Анна", "Мария", "Юлия", "Наталья", "Татьяна", "Ольга", "Екатерина", "Ксения", "Дарья",
    "Софья", "Эльвира", "Яна", "Алёна", "Людмила", "Василиса", "Зоя", "Любовь", "Майя",
)  # fmt: skip
# Father's name -> (son's, daughter's) patronymic.
_RU_PATRONYMICS = (
    ("Иванович", "Ивановна"), ("Петрович", "Петровна"), ("Алексеевич", "Алексеевна"),
    ("Дмитриевич", "Дмитриевна"), ("Сергеевич", "Сергеевна"), ("Юрьевич", "Юрьевна"),
    ("Андреевич", "Андреевна"), ("Николаевич", "Николаевна"), ("Ильич", "Ильинична"),
    ("Фёдорович", "Фёдоровна"), ("Эдуардович", "Эдуардовна"), ("Ярославович", "Ярославовна"),
    ("Григорьевич", "Григорьевна"), ("Михайлович", "Михайловна"), ("Кузьмич", "Кузьминична"),
    ("Вячеславович", "Вячеславовна"),
)  # fmt: skip
_RU_CITIES = ("г. Москва", "г. Санкт-Петербург", "г. Казань", "г. Новосибирск", "г. Омск",
              "г. Екатеринбург", "г. Тверь", "г. Ярославль")  # fmt: skip

_KZ_SURNAMES = (
    "Ахметов", "Жұмабаев", "Нұрпейісов", "Қасымов", "Әбенов", "Сәрсенбаев", "Төлеуов", "Омаров",
    "Серікбаев", "Байжанов", "Исаев", "Ғалымов", "Оспанов", "Мұхаметжанов", "Үсенов", "Ким",
)  # fmt: skip
_KZ_MALE = ("Нұрлан", "Асқар", "Дәурен", "Ерлан", "Қайрат", "Ерболат", "Ұлан", "Мағжан",
            "Бауыржан", "Серік", "Тимур", "Әлихан")  # fmt: skip
_KZ_FEMALE = ("Айгүл", "Жанар", "Гүлнар", "Сәуле", "Ботагөз", "Әлия", "Айдана", "Динара",
              "Меруерт", "Аружан", "Салтанат")  # fmt: skip
_KZ_FATHERS = ("Нұрлан", "Серік", "Ерлан", "Қайрат", "Болат", "Асқар", "Марат")
_KZ_CITIES = ("АЛМАТЫ", "АСТАНА", "ШЫМКЕНТ", "ҚАРАҒАНДЫ", "АҚТӨБЕ", "ПАВЛОДАР")

_LATIN_SURNAMES = (
    "SMITH", "MUELLER", "GARCIA LOPEZ", "VAN DER BERG", "ROSSI", "KOWALSKI", "NGUYEN", "DUBOIS",
    "OCONNOR", "SCHMIDT", "FERREIRA", "ANDERSSON", "YILMAZ", "WANG", "KUMAR", "ERIKSSON",
    "MARTINEZ DE LA FUENTE", "OKAFOR", "HOFFMANN", "NOVAK", "TANAKA", "ZHOU", "QUISPE",
    "XU", "JOVANOVIC", "VILLANUEVA", "BJORKLUND", "OYELARAN", "HAKOBYAN",
)  # fmt: skip
_LATIN_GIVEN = (
    "JOHN", "MARIA", "ANNA MARIA", "PIERRE", "JEAN LUC", "SOFIA", "LUCAS", "EMMA", "OLIVER",
    "MEHMET", "WEI", "PRIYA", "CHIDI", "YUKI", "LAURA", "BO", "QUENTIN", "XAVIER", "ZOE",
    "IGOR", "KATARZYNA", "JOSE ANTONIO",
)  # fmt: skip
_COUNTRIES = ("UTO", "D", "FRA", "ITA", "ESP", "NLD", "GBR", "USA", "CAN", "POL", "UKR", "UZB",
              "KGZ", "TUR", "CHN", "IND", "BRA", "SWE", "NGA", "JPN", "ARM", "SRB")  # fmt: skip


def _date_between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    # The youngest people got their document recently: keep at least a year of choice.
    start = min(start, end - dt.timedelta(days=365))
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


def _add_years(date: dt.date, years: int) -> dt.date:
    try:
        return date.replace(year=date.year + years)
    except ValueError:  # 29 February
        return date.replace(year=date.year + years, day=28)


def _digits(rng: random.Random, count: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(count))


def _latin(text: str) -> str:
    return to_icao_latin(text).replace("<", " ")


def _ru_person(rng: random.Random) -> tuple[str, str, str, str]:
    sex = rng.choice("MF")
    surname = rng.choice(_RU_SURNAMES)
    patronymics = rng.choice(_RU_PATRONYMICS)
    if sex == "F":
        # -ов/-ев/-ин take -а; -ский takes -ская; anything else is indeclinable.
        if surname.endswith("ский"):
            surname = surname[:-2] + "ая"
        elif surname.endswith(("ов", "ев", "ёв", "ин", "ын")):
            surname += "а"
        return surname, rng.choice(_RU_FEMALE), patronymics[1], sex
    return surname, rng.choice(_RU_MALE), patronymics[0], sex


def _kz_person(rng: random.Random) -> tuple[str, str, str, str]:
    sex = rng.choice("MF")
    surname = rng.choice(_KZ_SURNAMES)
    father = rng.choice(_KZ_FATHERS)
    if sex == "F":
        if surname.endswith(("ов", "ев", "ин")):
            surname += "а"
        return surname, rng.choice(_KZ_FEMALE), father + "қызы", sex
    return surname, rng.choice(_KZ_MALE), father + "ұлы", sex


def _kz_iin(birth: dt.date, sex: str, rng: random.Random) -> str:
    """A Kazakh IIN: YYMMDD, century+sex digit, four serial digits, and its check digit."""
    century_digit = {(19, "M"): 3, (19, "F"): 4, (20, "M"): 5, (20, "F"): 6}[
        (birth.year // 100, sex)
    ]
    while True:
        body = birth.strftime("%y%m%d") + str(century_digit) + _digits(rng, 4)
        digits = [int(c) for c in body]
        check = sum(d * w for d, w in zip(digits, range(1, 12), strict=True)) % 11
        if check == 10:
            check = (
                sum(d * w for d, w in zip(digits, (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2), strict=True))
                % 11
            )
        if check != 10:
            return body + str(check)


def valid_on(identity: SpecimenIdentity, as_of: dt.date) -> SpecimenIdentity:
    """The identity moved forward by whole years (birth, issue and expiry alike, so ages and
    validity periods stay as drawn) until its document is valid on ``as_of``; unchanged when
    it already is or never expires. Consumes no randomness: a seed renders the same person."""
    if identity.expiry_date is None or identity.expiry_date > as_of:
        return identity
    years = as_of.year - identity.expiry_date.year
    while _add_years(identity.expiry_date, years) <= as_of:
        years += 1
    return replace(
        identity,
        birth_date=_add_years(identity.birth_date, years),
        issue_date=_add_years(identity.issue_date, years),
        expiry_date=_add_years(identity.expiry_date, years),
    )


def random_identity(kind: str, rng: random.Random) -> SpecimenIdentity:
    """A random identity for a document of ``kind`` (one of ``DOCUMENT_KINDS``)."""
    birth = _date_between(rng, dt.date(1950, 1, 1), dt.date(2007, 12, 31))
    if kind == "ru_internal_passport":
        surname, given, patronymic, sex = _ru_person(rng)
        issue = _date_between(
            rng, max(_add_years(birth, 14), dt.date(1997, 10, 1)), dt.date(2025, 6, 30)
        )
        series = rng.choice(("45", "40", "92", "50", "66", "78")) + issue.strftime("%y")
        department = f"{rng.randrange(100, 999)}-{rng.randrange(0, 999):03d}"
        return SpecimenIdentity(
            kind=kind, surname=_latin(surname), given_names=_latin(given), sex=sex,
            birth_date=birth, nationality="RUS", issuing_country="RUS",
            number=series + _digits(rng, 6), issue_date=issue, expiry_date=None,
            surname_cyrillic=surname.upper(), given_names_cyrillic=given.upper(),
            patronymic=patronymic.upper(), department_code=department,
            place_of_birth=rng.choice(_RU_CITIES).upper(),
            authority=f"ГУ МВД РОССИИ ПО {rng.choice(('Г. МОСКВЕ', 'САНКТ-ПЕТЕРБУРГУ', 'ОМСКОЙ ОБЛ.'))}",
            document_code="PN",
        )  # fmt: skip
    if kind == "ru_international_passport":
        surname, given, patronymic, sex = _ru_person(rng)
        issue = _date_between(
            rng, max(_add_years(birth, 14), dt.date(2015, 1, 1)), dt.date(2025, 12, 31)
        )
        return SpecimenIdentity(
            kind=kind, surname=_latin(surname), given_names=_latin(given), sex=sex,
            birth_date=birth, nationality="RUS", issuing_country="RUS",
            number=rng.choice(("75", "76", "77", "65", "72")) + _digits(rng, 7),
            issue_date=issue, expiry_date=_add_years(issue, 10) - dt.timedelta(days=1),
            surname_cyrillic=surname.upper(), given_names_cyrillic=given.upper(),
            patronymic=patronymic.upper(), place_of_birth=rng.choice(_RU_CITIES).upper(),
            authority=f"МВД {rng.randrange(10, 99)}",
        )  # fmt: skip
    if kind in ("kz_passport", "kz_id_card"):
        surname, given, patronymic, sex = _kz_person(rng)
        issue = _date_between(
            rng, max(_add_years(birth, 16), dt.date(2016, 1, 1)), dt.date(2025, 12, 31)
        )
        number = ("N" + _digits(rng, 8)) if kind == "kz_passport" else _digits(rng, 9)
        return SpecimenIdentity(
            kind=kind, surname=_latin(surname), given_names=_latin(given), sex=sex,
            birth_date=birth, nationality="KAZ", issuing_country="KAZ", number=number,
            issue_date=issue, expiry_date=_add_years(issue, 10) - dt.timedelta(days=1),
            surname_cyrillic=surname.upper(), given_names_cyrillic=given.upper(),
            patronymic=patronymic.upper(), personal_number=_kz_iin(birth, sex, rng),
            place_of_birth=rng.choice(_KZ_CITIES), authority="ҚР ІІМ / МВД РК",
            document_code="P<" if kind == "kz_passport" else "ID",
        )  # fmt: skip
    if kind in ("td3_passport", "td1_id_card"):
        sex = rng.choice("MF")
        surname = rng.choice(_LATIN_SURNAMES)
        given = " ".join(rng.sample(_LATIN_GIVEN, rng.choice((1, 1, 1, 2))))
        country = rng.choice(_COUNTRIES)
        nationality = country if rng.random() < 0.85 else rng.choice(_COUNTRIES)
        issue = _date_between(
            rng, max(_add_years(birth, 16), dt.date(2014, 1, 1)), dt.date(2025, 12, 31)
        )
        alphabet = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"
        length = 9 if kind == "td3_passport" or rng.random() < 0.85 else rng.choice((8, 10, 12))
        number = rng.choice("ABCDEFGHKLMNPRTXYZ") + "".join(
            rng.choice(alphabet) for _ in range(length - 1)
        )
        personal = _digits(rng, rng.choice((0, 8, 10))) if rng.random() < 0.5 else ""
        code = "P<" if kind == "td3_passport" else rng.choice(("I<", "ID", "IR", "AC"))
        return SpecimenIdentity(
            kind=kind, surname=surname, given_names=given, sex=sex, birth_date=birth,
            nationality=nationality, issuing_country=country, number=number, issue_date=issue,
            expiry_date=_add_years(issue, rng.choice((5, 10))), personal_number=personal,
            document_code=code,
        )  # fmt: skip
    if kind == "td2_document":
        return _td2_identity(rng, birth)
    if kind == "visa":
        return _visa_identity(rng, birth)
    if kind == "fr_id_card":
        return _fr_id_identity(rng, birth)
    raise ValueError(f"unknown document kind {kind!r}")


def _latin_person(rng: random.Random) -> tuple[str, str, str]:
    sex = rng.choice("MF")
    surname = rng.choice(_LATIN_SURNAMES)
    given = " ".join(rng.sample(_LATIN_GIVEN, rng.choice((1, 1, 1, 2))))
    return surname, given, sex


def _document_number(rng: random.Random, length: int) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"
    return rng.choice("ABCDEFGHKLMNPRTXYZ") + "".join(
        rng.choice(alphabet) for _ in range(length - 1)
    )


def _td2_identity(rng: random.Random, birth: dt.date) -> SpecimenIdentity:
    """A TD2 card (residence permit, ID card) of any state: 2 x 36, seven optional characters."""
    surname, given, sex = _latin_person(rng)
    country = rng.choice(_COUNTRIES)
    nationality = country if rng.random() < 0.6 else rng.choice(_COUNTRIES)
    issue = _date_between(
        rng, max(_add_years(birth, 16), dt.date(2014, 1, 1)), dt.date(2025, 12, 31)
    )
    personal = _digits(rng, rng.choice((6, 7))) if rng.random() < 0.4 else ""
    return SpecimenIdentity(
        kind="td2_document", surname=surname, given_names=given, sex=sex, birth_date=birth,
        nationality=nationality, issuing_country=country,
        number=_document_number(rng, rng.choice((9, 9, 9, 8))), issue_date=issue,
        expiry_date=_add_years(issue, rng.choice((2, 5, 10))) - dt.timedelta(days=1),
        personal_number=personal, document_code=rng.choice(("I<", "ID", "IR", "AC")),
    )  # fmt: skip


def _fr_id_identity(rng: random.Random, birth: dt.date) -> SpecimenIdentity:
    """The French national identity card issued until 2021: the card number is the issue
    year and month, the department, office and a sequence; ``authority`` holds the six
    characters (department, office) its zone carries after the surname."""
    surname, given, sex = _latin_person(rng)
    issue = _date_between(
        rng, max(_add_years(birth, 16), dt.date(2004, 1, 1)), dt.date(2021, 3, 31)
    )
    department = rng.choice(("750", "130", "690", "920", "330", "590", "2A0", "060"))
    office = f"{rng.randrange(1, 40):03d}"
    return SpecimenIdentity(
        kind="fr_id_card", surname=surname, given_names=given, sex=sex, birth_date=birth,
        nationality="FRA", issuing_country="FRA",
        number=issue.strftime("%y%m") + department[:2] + office[-1] + _digits(rng, 5),
        issue_date=issue, expiry_date=_add_years(issue, 15) - dt.timedelta(days=1),
        authority=department + office, document_code="ID",
    )  # fmt: skip


def _visa_identity(rng: random.Random, birth: dt.date) -> SpecimenIdentity:
    """A visa sticker: issued by one state to a national of another, valid for days to years.

    ``number`` is the visa number, the one the zone carries; ``personal_number`` is whatever the
    issuer writes in the optional data (at most 8 characters, so that MRV-B holds it too).
    """
    surname, given, sex = _latin_person(rng)
    country = rng.choice(_COUNTRIES)
    nationality = rng.choice([c for c in _COUNTRIES if c != country])
    # Recent, and mostly still valid in 2026 (short tourist visas, long multiple-entry ones).
    issue = _date_between(
        rng, max(_add_years(birth, 16), dt.date(2024, 6, 1)), dt.date(2025, 12, 31)
    )
    valid_days = rng.choice((90, 180, 365, 730, 1826, 3652))
    optional = _document_number(rng, rng.choice((6, 8))) if rng.random() < 0.3 else ""
    return SpecimenIdentity(
        kind="visa", surname=surname, given_names=given, sex=sex, birth_date=birth,
        nationality=nationality, issuing_country=country,
        number=_document_number(rng, rng.choice((9, 9, 8))), issue_date=issue,
        expiry_date=issue + dt.timedelta(days=valid_days), personal_number=optional,
        document_code=rng.choice(("V<", "V<", "VC", "VD")),
    )  # fmt: skip
