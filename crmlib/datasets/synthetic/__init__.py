from .retail import *  # noqa: F403
from .retail import __all__
