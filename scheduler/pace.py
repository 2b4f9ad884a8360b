"""When a platform accepted a post, on our clock: where the pace of a
conversation counts from (`scheduler.dispatcher`).

A platform that stamps its answer with its own time of the message (Slack's
`ts`, see `bot.messages.Sent.accepted_at`) lets the next post to that
conversation start `pace` seconds after that moment instead of `pace`
seconds after the answer reached us: the round trip and our own lag are not
added to every gap.

Clocks differ, so the stamp is mapped safely. For one answer, with `t` the
platform's stamp and `a` our time when the answer arrived, the stamp was
made before the answer arrived, so `t - a` is a lower bound of (platform
clock - our clock). The largest such bound over recent answers (per
platform; the last `size` answers, none older than `horizon` seconds, so a
drifting clock is followed) is the best one; the stamp on our clock is then
at most `t - bound`. Counting the pace from there is never earlier than the
platform's own gap of `pace` allows, and never later than counting from the
answer (for that answer, `t - bound <= a`). Without a stamp (another
platform, an answer in place, an error) the answer's time is used.

Times on "our clock" are whatever monotonic clock the caller reads (the
dispatcher: the event loop's); the platform's are its epoch seconds.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable
from dataclasses import dataclass, field

WINDOW_ANSWERS = 200  # answers an offset bound is kept for ...
WINDOW_SECONDS = 60.0  # ... and for at most this long


@dataclass
class Pacer:
    size: int = WINDOW_ANSWERS
    horizon: float = WINDOW_SECONDS
    # platform -> (answer number, our time of the answer, t - a), the bounds
    # that can still be the largest (decreasing), oldest first
    _windows: dict[Hashable, deque[tuple[int, float, float]]] = field(default_factory=dict)
    _answers: dict[Hashable, int] = field(default_factory=dict)

    def accepted(self, platform: Hashable, stamp: float | None, left: float, answered: float) -> float:
        """Our time at which the platform accepted a post, as late as it can
        have been: the request left at `left` and the answer came back at
        `answered` (our clock); `stamp` is the platform's own time of the
        message, or None when it gave none."""
        if stamp is None:
            return answered
        bound = self._note(platform, stamp - answered, answered)
        # Not before the request left (a platform clock that stepped back
        # cannot move it earlier), not after the answer came.
        return min(answered, max(left, stamp - bound))

    def bound(self, platform: Hashable) -> float | None:
        """The current lower bound of (platform clock - our clock), if any."""
        window = self._windows.get(platform)
        return window[0][2] if window else None

    def _note(self, platform: Hashable, bound: float, now: float) -> float:
        """Add one answer's bound; the largest over the window."""
        n = self._answers[platform] = self._answers.get(platform, 0) + 1
        window = self._windows.setdefault(platform, deque())
        while window and window[-1][2] <= bound:
            window.pop()  # never the largest again: this newer one is at least as large
        window.append((n, now, bound))
        while window[0][0] <= n - self.size or window[0][1] < now - self.horizon:
            window.popleft()  # the newest entry always stays
        return window[0][2]
