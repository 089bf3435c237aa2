"""The installed version of Lanterne, read from the package metadata."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("lanterne")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0+unknown"
