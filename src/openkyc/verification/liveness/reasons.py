"""Stable reason codes of the liveness check, in ru/kk/en."""

from __future__ import annotations

from openkyc.verification.reasons import ReasonText, register

NOT_ASSESSED = "liveness_not_assessed"
TOO_FEW_FRAMES = "liveness_too_few_frames"
FACE_LOST = "liveness_face_lost"
CHALLENGE_NOT_FOLLOWED = "liveness_challenge_not_followed"
NO_HEAD_MOVEMENT = "liveness_no_head_movement"
FLAT_FACE = "liveness_flat_face"
FRAMES_IDENTICAL = "liveness_frames_identical"
FRAMES_DISCONTINUOUS = "liveness_frames_discontinuous"
TIMING_INCONSISTENT = "liveness_timing_inconsistent"
SCREEN_SUSPECTED = "liveness_screen_suspected"
PRINT_SUSPECTED = "liveness_print_suspected"
PAD_MODEL_REJECTED = "liveness_pad_model_rejected"

register(
    ReasonText(
        code=NOT_ASSESSED,
        en="Liveness could not be checked: the head-movement check was not recorded.",
        ru="Не удалось проверить, что перед камерой живой человек: проверка с поворотом "
        "головы не была записана.",
        kk="Камера алдында тірі адам екенін тексеру мүмкін болмады: басты бұру тексерісі "
        "жазылмады.",
        fixable=True,
    ),
    ReasonText(
        code=TOO_FEW_FRAMES,
        en="Too few pictures of your head movements came through. Please try again and move slowly.",
        ru="Получено слишком мало кадров с движениями головы. Попробуйте ещё раз и двигайтесь медленнее.",
        kk="Бас қозғалысының кадрлары тым аз келді. Қайталап көріңіз, баяуырақ қозғалыңыз.",
        fixable=True,
    ),
    ReasonText(
        code=FACE_LOST,
        en="Your face left the frame during the check. Keep your face in the frame.",
        ru="Во время проверки лицо выходило из кадра. Держите лицо в кадре.",
        kk="Тексеру кезінде бетіңіз кадрдан шығып кетті. Бетіңізді кадрда ұстаңыз.",
        fixable=True,
    ),
    ReasonText(
        code=CHALLENGE_NOT_FOLLOWED,
        en="The head movements did not follow the instructions. Please turn your head as shown, "
        "in the order shown.",
        ru="Движения головы не совпали с инструкцией. Поворачивайте голову так, как показано, "
        "и в указанном порядке.",
        kk="Бас қозғалыстары нұсқаулыққа сәйкес келмеді. Басыңызды көрсетілгендей және "
        "көрсетілген ретпен бұрыңыз.",
        fixable=True,
    ),
    ReasonText(
        code=NO_HEAD_MOVEMENT,
        en="We could not see your head turn. Please turn your head a little further.",
        ru="Мы не увидели поворота головы. Поверните голову немного сильнее.",
        kk="Басыңыздың бұрылғаны байқалмады. Басыңызды сәл көбірек бұрыңыз.",
        fixable=True,
    ),
    ReasonText(
        code=FLAT_FACE,
        en="The face moved like a flat picture, not like a real head.",
        ru="Лицо двигалось как плоское изображение, а не как настоящая голова.",
        kk="Бет нағыз бас сияқты емес, жалпақ сурет сияқты қозғалды.",
        fixable=False,
    ),
    ReasonText(
        code=FRAMES_IDENTICAL,
        en="The camera sent identical frames, which a live camera does not do.",
        ru="Камера передала одинаковые кадры, чего не бывает при съёмке вживую.",
        kk="Камера бірдей кадрлар жіберді, тікелей түсірілімде бұлай болмайды.",
        fixable=False,
    ),
    ReasonText(
        code=FRAMES_DISCONTINUOUS,
        en="The recording has breaks or jumps. Please record again without interruptions.",
        ru="В записи есть обрывы или скачки. Запишите ещё раз без перерывов.",
        kk="Жазбада үзілістер немесе секірістер бар. Үзіліссіз қайта жазыңыз.",
        fixable=True,
    ),
    ReasonText(
        code=TIMING_INCONSISTENT,
        en="The timing of the recorded frames is not consistent with a live camera.",
        ru="Время кадров в записи не соответствует съёмке с живой камеры.",
        kk="Кадрлардың уақыты тікелей камерадан түсірілгенге сәйкес келмейді.",
        fixable=False,
    ),
    ReasonText(
        code=SCREEN_SUSPECTED,
        en="The face appears to be shown on a screen.",
        ru="Похоже, лицо показано на экране.",
        kk="Бет экранда көрсетілген сияқты.",
        fixable=False,
    ),
    ReasonText(
        code=PRINT_SUSPECTED,
        en="The face appears to be a printed photo.",
        ru="Похоже, это напечатанная фотография лица.",
        kk="Бұл беттің басып шығарылған фотосуреті сияқты.",
        fixable=False,
    ),
    ReasonText(
        code=PAD_MODEL_REJECTED,
        en="The presentation-attack detection model rejected the capture.",
        ru="Модель обнаружения атак с подменой лица отклонила съёмку.",
        kk="Бетті алмастыру шабуылын анықтау моделі түсірілімді қабылдамады.",
        fixable=False,
    ),
)
