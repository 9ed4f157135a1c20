"""qzanalysis: stated plans versus reported outcomes in Quzhou government documents.

The flow, one module per step: corpus -> extract -> review -> reference -> compare -> stats
-> plots -> report. See README.md for the picture.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("qzanalysis")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0+unknown"

__all__ = ["__version__"]
