"""Stable reason codes of face detection, selfie quality and face match, in ru/kk/en."""

from __future__ import annotations

from openkyc.verification.reasons import ReasonText, register

SELFIE_UNREADABLE = "selfie_unreadable"
SELFIE_NO_FACE = "selfie_no_face"
SELFIE_MULTIPLE_FACES = "selfie_multiple_faces"
SELFIE_FACE_TOO_SMALL = "selfie_face_too_small"
SELFIE_FACE_TURNED_AWAY = "selfie_face_turned_away"
SELFIE_FACE_CUT_OFF = "selfie_face_cut_off"
SELFIE_EYES_CLOSED = "selfie_eyes_closed"
SELFIE_TOO_DARK = "selfie_too_dark"
SELFIE_BLURRY = "selfie_blurry"
DOCUMENT_FACE_NOT_FOUND = "document_face_not_found"
DOCUMENT_PORTRAIT_GLARE = "document_portrait_glare"
FACE_MISMATCH = "face_mismatch"
FACE_MATCH_REVIEW = "face_match_review"
FACE_DUPLICATE_IDENTITY = "face_duplicate_identity"

register(
    ReasonText(
        code=SELFIE_UNREADABLE,
        en="We could not read the selfie image. Please take it again.",
        ru="Не удалось прочитать фото селфи. Сделайте его ещё раз.",
        kk="Селфи суретін оқу мүмкін болмады. Қайта түсіріңіз.",
        fixable=True,
    ),
    ReasonText(
        code=SELFIE_NO_FACE,
        en="No face was found in the selfie. Look straight at the camera with your face fully "
        "visible.",
        ru="На селфи не найдено лицо. Смотрите прямо в камеру, лицо должно быть полностью видно.",
        kk="Селфиде бет табылмады. Камераға тура қараңыз, бетіңіз толық көрінуі керек.",
        fixable=True,
    ),
    ReasonText(
        code=SELFIE_MULTIPLE_FACES,
        en="More than one face is in the selfie. Make sure only you are in the frame.",
        ru="На селфи больше одного лица. Убедитесь, что в кадре только вы.",
        kk="Селфиде бірнеше бет бар. Кадрда тек сіз ғана болуыңыз керек.",
        fixable=True,
    ),
    ReasonText(
        code=SELFIE_FACE_TOO_SMALL,
        en="Your face is too small in the selfie. Hold the camera closer.",
        ru="Лицо на селфи слишком маленькое. Поднесите камеру ближе.",
        kk="Селфидегі бетіңіз тым кішкентай. Камераны жақынырақ ұстаңыз.",
        fixable=True,
    ),
    ReasonText(
        code=SELFIE_FACE_TURNED_AWAY,
        en="Your face is turned away. Look straight at the camera.",
        ru="Лицо повёрнуто в сторону. Смотрите прямо в камеру.",
        kk="Бетіңіз бұрылып тұр. Камераға тура қараңыз.",
        fixable=True,
    ),
    ReasonText(
        code=SELFIE_FACE_CUT_OFF,
        en="Part of your face is outside the frame. Keep your whole face in the frame.",
        ru="Часть лица не попала в кадр. Держите всё лицо в кадре.",
        kk="Бетіңіздің бір бөлігі кадрға сыймады. Бүкіл бетіңізді кадрда ұстаңыз.",
        fixable=True,
    ),
    ReasonText(
        code=SELFIE_EYES_CLOSED,
        en="Your eyes appear to be closed. Please keep your eyes open if you can.",
        ru="Похоже, глаза закрыты. По возможности держите глаза открытыми.",
        kk="Көзіңіз жұмулы сияқты. Мүмкін болса, көзіңізді ашық ұстаңыз.",
        fixable=True,
    ),
    ReasonText(
        code=SELFIE_TOO_DARK,
        en="The selfie is too dark. Move to a brighter place.",
        ru="Селфи слишком тёмное. Перейдите в более освещённое место.",
        kk="Селфи тым қараңғы. Жарығырақ жерге барыңыз.",
        fixable=True,
    ),
    ReasonText(
        code=SELFIE_BLURRY,
        en="The selfie is blurred. Hold the camera still.",
        ru="Селфи размыто. Держите камеру неподвижно.",
        kk="Селфи бұлыңғыр. Камераны қозғалтпай ұстаңыз.",
        fixable=True,
    ),
    ReasonText(
        code=DOCUMENT_FACE_NOT_FOUND,
        en="We could not find the photo on your document. Take a clear photo of the whole "
        "document.",
        ru="Не удалось найти фотографию на документе. Сфотографируйте документ целиком и чётко.",
        kk="Құжаттағы фотосурет табылмады. Құжатты толықтай әрі анық суретке түсіріңіз.",
        fixable=True,
    ),
    ReasonText(
        code=DOCUMENT_PORTRAIT_GLARE,
        en="Glare covers the photo on your document. Tilt the document or move away from the "
        "light and take the photo again.",
        ru="Фотографию в документе закрывает блик. Наклоните документ или отойдите от источника "
        "света и сфотографируйте ещё раз.",
        kk="Құжаттағы фотосуретті жарқыл жауып тұр. Құжатты еңкейтіңіз немесе жарықтан "
        "алыстап, қайта суретке түсіріңіз.",
        fixable=True,
    ),
    ReasonText(
        code=FACE_MISMATCH,
        en="The face in the selfie does not match the photo on the document.",
        ru="Лицо на селфи не совпадает с фотографией в документе.",
        kk="Селфидегі бет құжаттағы фотосуретке сәйкес келмейді.",
        fixable=False,
    ),
    ReasonText(
        code=FACE_MATCH_REVIEW,
        en="The selfie and the document photo need a manual check.",
        ru="Селфи и фотографию в документе нужно проверить вручную.",
        kk="Селфи мен құжаттағы фотосуретті қолмен тексеру қажет.",
        fixable=False,
    ),
    ReasonText(
        code=FACE_DUPLICATE_IDENTITY,
        en="This face has already been verified with a different document.",
        ru="Это лицо уже проходило проверку с другим документом.",
        kk="Бұл бет басқа құжатпен тексеруден өткен.",
        fixable=False,
    ),
)
