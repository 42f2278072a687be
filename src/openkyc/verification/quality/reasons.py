"""Stable reason codes of capture quality checks, in ru/kk/en. All are fixable by a retake."""

from __future__ import annotations

from openkyc.verification.reasons import ReasonText, register

CAPTURE_UNREADABLE = "capture_unreadable"
CAPTURE_BLURRED = "capture_blurred"
CAPTURE_TOO_DARK = "capture_too_dark"
CAPTURE_GLARE = "capture_glare"
CAPTURE_CUT_OFF = "capture_cut_off"
CAPTURE_TOO_SMALL = "capture_too_small"
CAPTURE_FACE_NOT_FOUND = "capture_face_not_found"
CAPTURE_MRZ_NOT_FOUND = "capture_mrz_not_found"

register(
    ReasonText(
        code=CAPTURE_UNREADABLE,
        en="We could not open this image. Please take the photo again.",
        ru="Не удалось открыть изображение. Сделайте фото ещё раз.",
        kk="Суретті ашу мүмкін болмады. Қайта түсіріңіз.",
        fixable=True,
    ),
    ReasonText(
        code=CAPTURE_BLURRED,
        en="The photo is blurred. Hold the camera steady and let it focus on the document.",
        ru="Фото размыто. Держите камеру неподвижно и дождитесь фокусировки на документе.",
        kk="Сурет бұлыңғыр. Камераны қозғалтпай ұстап, құжатқа фокусталуын күтіңіз.",
        fixable=True,
    ),
    ReasonText(
        code=CAPTURE_TOO_DARK,
        en="The photo is too dark. Move to a brighter place.",
        ru="Фото слишком тёмное. Перейдите в более освещённое место.",
        kk="Сурет тым қараңғы. Жарығырақ жерге ауысыңыз.",
        fixable=True,
    ),
    ReasonText(
        code=CAPTURE_GLARE,
        en="There is glare on the document. Tilt it slightly or turn off the flash.",
        ru="На документе блик. Слегка наклоните документ или выключите вспышку.",
        kk="Құжатта жарқыл бар. Құжатты сәл еңкейтіңіз немесе жарқылды өшіріңіз.",
        fixable=True,
    ),
    ReasonText(
        code=CAPTURE_CUT_OFF,
        en="Part of the document is outside the photo. Make sure all four corners are visible.",
        ru="Часть документа не попала в кадр. Убедитесь, что видны все четыре угла.",
        kk="Құжаттың бір бөлігі кадрға кірмеді. Төрт бұрышы да көрініп тұрғанына көз жеткізіңіз.",
        fixable=True,
    ),
    ReasonText(
        code=CAPTURE_TOO_SMALL,
        en="The document is too far away. Bring the camera closer so the document fills the frame.",
        ru="Документ слишком далеко. Поднесите камеру ближе, чтобы документ занял весь кадр.",
        kk="Құжат тым алыс. Құжат кадрды толтыратындай камераны жақындатыңыз.",
        fixable=True,
    ),
    ReasonText(
        code=CAPTURE_FACE_NOT_FOUND,
        en="We could not find the photo of the face on the document. Photograph the page with "
        "the photo, without covering it.",
        ru="Не удалось найти фотографию лица на документе. Сфотографируйте страницу с "
        "фотографией, не закрывая её.",
        kk="Құжаттағы бет суреті табылмады. Суреті бар бетті оны жаппай түсіріңіз.",
        fixable=True,
    ),
    ReasonText(
        code=CAPTURE_MRZ_NOT_FOUND,
        en="We could not find the machine-readable lines (with <<<). Photograph the side that "
        "has them, whole and in focus.",
        ru="Не удалось найти машиночитаемые строки (с <<<). Сфотографируйте сторону документа, "
        "где они есть, целиком и в фокусе.",
        kk="Машинамен оқылатын жолдар (<<< бар) табылмады. Олар бар жағын толық әрі анық "
        "түсіріңіз.",
        fixable=True,
    ),
)
