"""Self-checks for the book's exercises: tell the reader whether an answer is right, and if
not, what differs.

Every checker prints a verdict and returns ``True`` or ``False``. A wrong answer never
raises, whatever its kind (``None`` because a function forgot to ``return``, a list, a
string, the wrong shape): the reader gets a message and ``False``. Only a mistake in
*calling the checker* (what the book's author passes as the expected value or the
tolerances) raises ``TypeError`` or ``ValueError``, and it raises before the reader's
answer is looked at: an author's typo is found even while the answer is still ``None``.

The generic checkers are :func:`check_array` and :func:`check_value`
(:mod:`~companion.checks.generic`). The chapter checkers, one module per chapter
(:mod:`~companion.checks.ch01` to :mod:`~companion.checks.ch10`, and
:mod:`~companion.checks.ch02_locality` for chapter 2's "why convolution": ``check_inverted``,
``check_output_size``, ``check_activation``, ``check_pool_output``, ...), compute the
expected answer with the companion itself, never from a hard-coded number. What they share
(reading an answer, the wording of a verdict) is in ``_verdict``.
"""

from .generic import *  # noqa: F401,F403
from .ch01 import *  # noqa: F401,F403
from .ch02 import *  # noqa: F401,F403
from .ch02_locality import *  # noqa: F401,F403
from .ch03 import *  # noqa: F401,F403
from .ch04 import *  # noqa: F401,F403
from .ch05 import *  # noqa: F401,F403
from .ch06 import *  # noqa: F401,F403
from .ch07 import *  # noqa: F401,F403
from .ch08 import *  # noqa: F401,F403
from .ch09 import *  # noqa: F401,F403
from .ch10 import *  # noqa: F401,F403
from . import ch01, ch02, ch02_locality, ch03, ch04, ch05, ch06, ch07, ch08, ch09, ch10, generic

__all__ = (
    generic.__all__ + ch01.__all__ + ch02.__all__ + ch02_locality.__all__ + ch03.__all__ + ch04.__all__
    + ch05.__all__ + ch06.__all__ + ch07.__all__ + ch08.__all__ + ch09.__all__ + ch10.__all__
)
