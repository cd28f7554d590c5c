"""opmodel: an open, executable operating model for the NHS in England.

The package is organised by area (structure, accountability, metrics, oversight,
variation, interfaces); each area exposes its public API through ``__all__``.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
