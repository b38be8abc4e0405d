"""The exercise checks (a package; see checks.ch02 for now)."""

from .ch02 import *  # noqa: F401,F403
from .ch02 import __all__  # noqa: F401
