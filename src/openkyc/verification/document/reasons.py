"""Stable reason codes of document reading, in ru/kk/en."""

from __future__ import annotations

from openkyc.verification.reasons import ReasonText, register

DOCUMENT_UNREADABLE = "document_unreadable"
DOCUMENT_MRZ_NOT_FOUND = "document_mrz_not_found"
DOCUMENT_MRZ_UNVERIFIED = "document_mrz_unverified"
DOCUMENT_EXPIRED = "document_expired"
# A state code our table lacks (an older or new code, or one misread where no check digit looks).
DOCUMENT_ISSUER_UNKNOWN = "document_issuer_unknown"
# A field printed on the page (read confidently) differs from the check-digit-verified zone:
# for an operator to look at; the zone's value stands.
DOCUMENT_PRINTED_MISMATCH = "document_printed_mismatch"

register(
    ReasonText(
        code=DOCUMENT_UNREADABLE,
        en="We could not open the document image. Please upload a JPEG or PNG photo.",
        ru="Не удалось открыть изображение документа. Загрузите фото в формате JPEG или PNG.",
        kk="Құжат суретін ашу мүмкін болмады. JPEG немесе PNG форматындағы фотоны жүктеңіз.",
        fixable=True,
    ),
    ReasonText(
        code=DOCUMENT_MRZ_NOT_FOUND,
        en="We could not find the machine-readable lines (the rows with <<<) on the document. "
        "Photograph the whole page or card, including the bottom lines.",
        ru="Не удалось найти машиночитаемую зону (строки с <<<) на документе. Сфотографируйте "
        "всю страницу или карту целиком, включая нижние строки.",
        kk="Құжаттан машинамен оқылатын аймақ (<<< бар жолдар) табылмады. Бетті немесе картаны "
        "төменгі жолдарымен қоса толық түсіріңіз.",
        fixable=True,
    ),
    ReasonText(
        code=DOCUMENT_MRZ_UNVERIFIED,
        en="The machine-readable lines could not be read reliably. Take the photo again in good "
        "light, without glare, holding the camera steady.",
        ru="Машиночитаемую зону не удалось надёжно прочитать. Сфотографируйте документ ещё раз "
        "при хорошем освещении, без бликов, держа камеру неподвижно.",
        kk="Машинамен оқылатын аймақты сенімді оқу мүмкін болмады. Құжатты жақсы жарықта, "
        "жарқылсыз, камераны қозғалтпай қайта түсіріңіз.",
        fixable=True,
    ),
    ReasonText(
        code=DOCUMENT_EXPIRED,
        en="The document has expired.",
        ru="Срок действия документа истёк.",
        kk="Құжаттың қолданылу мерзімі өтіп кеткен.",
        fixable=False,
    ),
    ReasonText(
        code=DOCUMENT_ISSUER_UNKNOWN,
        en="The document's issuing state or nationality code is not one we know; a person checks it.",
        ru="Код государства выдачи или гражданства в документе нам неизвестен; его проверит сотрудник.",
        kk="Құжаттағы беруші мемлекеттің немесе азаматтықтың коды бізге белгісіз; оны қызметкер тексереді.",
        fixable=False,
    ),
    ReasonText(
        code=DOCUMENT_PRINTED_MISMATCH,
        en="A field printed on the document differs from its machine-readable lines.",
        ru="Поле, напечатанное в документе, не совпадает с машиночитаемой зоной.",
        kk="Құжатта басылған өріс машинамен оқылатын аймақпен сәйкес келмейді.",
        fixable=False,
    ),
)
