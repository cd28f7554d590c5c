"""Publications: the catalogue of statistical series and the updater that keeps the store current.

:func:`data_sources` lists every series opmodel loads (publisher, landing page, frequency, licence,
what the store holds and when the next figures are due, by NHS England's release calendar);
:func:`update` finds the newest files on each landing page, downloads what is missing politely
(one request a second, a clear User-Agent, size limits, resumable) and loads them through the
metrics loader, recording where each came from.
"""

from opmodel.publications.fetch import USER_AGENT, Downloaded, Fetcher, FetchError, OfflineError
from opmodel.publications.links import LayoutChangedError, Link, page_links
from opmodel.publications.series import Series, data_sources, get_series, load_series
from opmodel.publications.update import (
    EXIT_OFFLINE,
    PROVENANCE_FILE,
    SeriesUpdate,
    UpdateReport,
    default_download_dir,
    update,
)

__all__ = [
    "EXIT_OFFLINE",
    "PROVENANCE_FILE",
    "USER_AGENT",
    "Downloaded",
    "FetchError",
    "Fetcher",
    "LayoutChangedError",
    "Link",
    "OfflineError",
    "Series",
    "SeriesUpdate",
    "UpdateReport",
    "data_sources",
    "default_download_dir",
    "get_series",
    "load_series",
    "page_links",
    "update",
]
