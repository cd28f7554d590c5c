"""Kept for imports written before peer statistics moved into the library (:mod:`opmodel.variation.peers`)."""

from opmodel.variation.peers import median_and_quartiles

__all__ = ["median_and_quartiles"]
