"""The book's pictures (a package; see plotting.images for now)."""

from .images import *  # noqa: F401,F403
from .images import __all__  # noqa: F401
