"""The zone with the camera shake undone, as a witness for what no check digit can see: the
look-alikes whose values differ by a multiple of ten (G/6, S/8...) and the name row. A restored
view can make a character confidently wrong, so it is asked only where the photo shows a real
shake, and what a restored view read must in turn be what the photo as taken read clearly."""

from __future__ import annotations

import abc

import numpy as np
import numpy.typing as npt

from .correction import Correction
from .deblur import Shake, deblurred_zone, zone_shake
from .locate import ZoneCandidate
from .name_doubts import names_span
from .readings import WIDTH, RowsReading
from .results import MrzData
from .row_doubts import (
    blind_columns,
    blurred_letter_witnessed,
    clearest,
    confirms_accepted,
    prefers_rival,
    read_clearly,
)

BGRImage = npt.NDArray[np.uint8]

# Names confirmed less surely than this, on a photo whose zone shows a shake, must be what the
# unshaken zone reads (the confirmation's re-read threshold before d25f9fa; over 695 traced
# confirmations on seeds 7 and 31, no re-read disagreed with a first reading at 0.9 or more,
# yet a shake makes the same wrong letter at every scale: see _unshaken_names_differ).
SURE_WITHOUT_REREAD = 0.99


# The least a reading of the photo as taken must give each name letter that a view restored
# whole read (see ShakenViews._restored_names_unwitnessed): as much as its runner-ups together.
NAME_WITNESS = 0.5


class ShakenViews(abc.ABC):
    """The checks against the unshaken view, for :class:`.zone_confirmation.ZoneConfirmation`
    (whose per-image state they read)."""

    # The photo being read, the photo as taken (another where the frame was restored whole),
    # and the photo's own reading of each zone at the usual width, by (zone centre, flip).
    _photo: BGRImage | None
    _taken: BGRImage | None
    _photo_tries: dict[tuple[tuple[float, float], bool], RowsReading]
    # The photo as taken, read where it is not the photo being read (a frame restored whole).
    _taken_tries: dict[tuple[tuple[float, float], bool], RowsReading]

    @abc.abstractmethod
    def _rows(self, image: BGRImage, zone: ZoneCandidate, flip: bool, width: int) -> RowsReading:
        """The zone read row by row from a crop ``width`` pixels wide."""

    @abc.abstractmethod
    def _shake(self, zone: ZoneCandidate) -> Shake | None:
        """The shake the photo's cepstrum shows around the zone."""

    @abc.abstractmethod
    def _unshaken(self, zone: ZoneCandidate) -> tuple[BGRImage, Shake] | None:
        """The photo's zone with the shake its cepstrum shows undone."""

    @abc.abstractmethod
    def _unshaken_attempt(self, zone: ZoneCandidate, flip: bool, view: BGRImage) -> RowsReading:
        """The reading of the unshaken zone ``view``."""

    def _unshaken_reading(
        self, image: BGRImage, zone: ZoneCandidate, flip: bool
    ) -> RowsReading | None:
        """The reading of the zone with the camera shake undone, or None unless the zone shows
        a real shake (``Shake.evident``): a sharp zone deconvolved by the cepstrum's noise
        floor rings, and a clean visa's G came back as a 6 (held-out seed 131 #111, rejected)."""
        photo = image is self._photo
        shake = self._shake(zone) if photo else zone_shake(image, zone)
        if shake is None or not shake.evident:
            return None
        restored = self._unshaken(zone) if photo else deblurred_zone(image, zone, shake)
        if restored is None:
            return None
        if photo:
            return self._unshaken_attempt(zone, flip, restored[0])
        return self._rows(restored[0], zone, flip, WIDTH)

    def _unshaken_view_disagrees(
        self,
        image: BGRImage,
        zone: ZoneCandidate,
        flip: bool,
        mrz: MrzData,
        rivals: set[tuple[int, int, str]],
    ) -> bool:
        """Whether the zone with the camera shake removed (:meth:`_unshaken_reading`) speaks
        against a reading that no check digit can see (G/6, S/8...). Paid only when a reading gave the
        rival any plausible weight.

        * It reads the rival: readings at other scales repeated a shaken G read as 6, with the
          G 0.5% behind it each time (seed 31 #156); the deconvolved zone read the G at 0.93.
        * An accepted 6 with a G behind it must be confirmed as a 6: blur turns a G into a 6,
          and a deconvolved view that reads neither (an 8, held-out seed 97 #159, G at 0.07
          behind the 6) does not vouch for it. Measured on seeds 7, 31 and 97, both 6s accepted
          with a G rival were Gs, and the three Gs accepted with a 6 rival (at 0.017-0.071)
          were right although their deconvolved views read a 0 or nothing there; requiring
          confirmation of those too rejected all three."""
        other = self._unshaken_reading(image, zone, flip)
        if other is None:
            return False
        # A G with a 6 behind it, which the photo as taken also read, stays a G however the
        # unshaken view reads it: the frame unshaken read a visa's GFZ05G59 (G 0.63-0.90), the
        # photo 6 at 0.55 with G 0.45 behind, and the zone unshaken still 6 at 0.60 (hard seed 7,
        # motion filter, n 24, #15).
        taken = self._taken_reading(zone, flip).reads if self._taken is not None else []
        doubted = {r for r in rivals if not blurred_letter_witnessed(taken, mrz, r)}
        if prefers_rival(other.reads, mrz, doubted):
            return True
        # The same for any letter behind an accepted digit: a shaken S read as 8 at every scale
        # of the photo, S 4-11% behind, passed every check digit (hard seed 7, motion blur
        # filter, #95); its unshaken view read the S.
        blurred = {r for r in rivals if r[2].isalpha() and mrz.lines[r[0]][r[1]].isdigit()}
        return bool(blurred) and not confirms_accepted(other.reads, mrz, blurred)

    def _taken_reading(self, zone: ZoneCandidate, flip: bool) -> RowsReading:
        """The photo as taken, read at the usual width: once per zone, however many restored
        readings ask it to witness (the blind digits and the names each did)."""
        assert self._taken is not None
        key = (zone.centre, flip)
        tries = self._photo_tries if self._taken is self._photo else self._taken_tries
        if key not in tries:
            tries[key] = self._rows(self._taken, zone, flip, WIDTH)
        return tries[key]

    def _restored_blind(
        self, image: BGRImage, zone: ZoneCandidate, flip: bool, mrz: MrzData
    ) -> bool:
        """Whether a zone read in a restored view (deconvolved) has a number or optional-data
        character that no check digit tells from its look-alike (G/6, S/8, Z/5) and that the
        photo as taken did not read clearly (``BLIND_CLEAR``). Deconvolution can make a
        character confidently wrong, and the view's re-readings at other scales see the same
        restored pixels, so they are no independent witness: hard seed 8 (motion filter) #12, a
        passport number's G under a strong shake, was read 6 at 0.995 in the unshaken view (G
        0.004 behind), every check digit passed, and the photo itself read 6 at only 0.80; the
        whole frame unshaken then read the same 6."""
        if self._taken is None or image is self._taken:
            return False
        columns = blind_columns(mrz)
        if not columns:
            return False
        return not read_clearly(self._taken_reading(zone, flip).reads, mrz, columns)

    def _shaken_blind(self, image: BGRImage, zone: ZoneCandidate, flip: bool, mrz: MrzData) -> bool:
        """Whether the photo as taken, with a shake its cepstrum shows, read a number or
        optional-data 6 or 8 (:func:`.row_doubts.blind_columns`) that its unshaken view does not
        confirm. A shaken G was read 6 at 0.999 with no G behind it (hard seed 7, motion filter,
        n 24, #5 and #14), so no rival is seen to ask the unshaken view about."""
        if image is not self._photo or self._taken is not self._photo:
            return False
        columns = blind_columns(mrz)
        if not columns:
            return False
        other = self._unshaken_reading(image, zone, flip)
        places = {(row, j, "") for row, j in columns}
        return other is not None and not confirms_accepted(other.reads, mrz, places)

    def _unshaken_names_differ(
        self, image: BGRImage, zone: ZoneCandidate, flip: bool, confirmed: Correction, sure: float
    ) -> bool:
        """Whether a photo with a shake its cepstrum shows, whose names were confirmed less than
        surely, reads other names once the shake is undone (:meth:`_unshaken_reading`). A strong
        shake makes the same letter of every scale: hard seed 11 #9 (a 12 px shake) read
        ``ARTEN`` for ``ARTEM`` in two agreeing readings at a name confidence of 0.977, and its
        unshaken zone reads ``ARTEM`` with every check digit passing. Refused here, the zone is
        then read in the unshaken view like any other, which must confirm its own names. Only
        the name row is compared: the checked rows have their check digits."""
        if image is not self._photo or sure >= SURE_WITHOUT_REREAD:
            return False
        attempt = self._unshaken_reading(image, zone, flip)
        if attempt is None or attempt.correction is None:
            return False
        mrz, other = confirmed.mrz, attempt.correction.mrz
        index = mrz.name_row
        return other.format == mrz.format and other.lines[index] != mrz.lines[index]

    def _restored_names_unwitnessed(
        self, image: BGRImage, zone: ZoneCandidate, flip: bool, mrz: MrzData
    ) -> bool:
        """Whether a zone read in a view restored whole (the frame unshaken) has a name letter
        that no reading of the photo as taken gave at least ``NAME_WITNESS``. The name row has
        no check digit, and the restored view's re-readings at other scales see the same
        restored pixels: they are no independent witness. A strong shake read ``BVKOVA`` for
        ``BYKOVA`` in the unshaken frame, confirmed there at every scale, while the photo as
        taken read nothing that lines up with the row (held-out hard seed 2611 #9, met in the
        final run of the session that added the unshaken frame). The frame's first rescue (hard
        seed 7 filtered #54) had every name letter at 0.62 or more in the photo as taken."""
        if self._taken is None or image is self._taken or self._taken is self._photo:
            return False
        index = mrz.name_row
        start, _ = names_span(mrz, index)
        line = mrz.lines[index]
        columns = {(index, j) for j in range(start, len(line)) if line[j] != "<"}
        best = clearest(self._taken_reading(zone, flip).reads, mrz, columns)
        return min(best.values(), default=1.0) < NAME_WITNESS
