"""The quality view of an organisation (issue 22, item 3): `opmodel quality show ORG`.

For a trust: its latest CQC ratings (overall and the five key questions, with the publication date),
its SHMI with recomputed limits, band, published band and trend, its inpatient FFT and the HCAI values
held, each beside England. For an ICB, a region or England: the mix of CQC ratings, SHMI bands and
outliers and the pooled FFT across the NHS trusts in it on the date, against England.

England's FFT here is pooled from the trusts in the same third-party file (positive responses over
responses); NHS England's national FFT summary is the official figure once it is loaded.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from typing import Any

from opmodel.errors import OpmodelError
from opmodel.quality.hcai import hcai_values
from opmodel.quality.models import KEY_QUESTIONS, RATINGS, SHMI_BAND_LABELS, CqcRatings, FftResult, rating_label
from opmodel.quality.queries import latest_values, period_label, source_label, trusts_in
from opmodel.quality.shmi import ShmiBanding, shmi_banding, trend_reading
from opmodel.store import Store

__all__ = ["CQC_METRICS", "FFT_METRICS", "QUALITY_NOTE", "cqc_ratings", "fft_result", "quality_mix", "quality_show"]

CQC_METRICS = ("cqc_overall", "cqc_safe", "cqc_effective", "cqc_caring", "cqc_responsive", "cqc_well_led")
_TRACKER = ("cqc_overall_tracker", "cqc_well_led_tracker")
FFT_METRICS = ("fft_positive", "fft_negative", "fft_responses")
_ALL = (*CQC_METRICS, *_TRACKER, *FFT_METRICS)
QUALITY_NOTE = ("CQC ratings, SHMI and FFT figures are third-party processed copies of CQC, NHS Digital and NHS "
                "England publications (see each source); SHMI bands are recomputed by opmodel and shown beside "
                "the published band.")


def cqc_ratings(latest: dict[str, dict[str, dict[str, Any]]], code: str) -> CqcRatings | None:
    """A trust's ratings from the first third-party copy, else the second (overall and well-led only)."""
    for overall_id, prefix in (("cqc_overall", "cqc_"), ("cqc_overall_tracker", None)):
        row = latest[overall_id].get(code)
        if row is None:
            continue
        labels: dict[str, str | None] = {}
        for q in KEY_QUESTIONS:
            metric = f"cqc_{q}" if prefix else ("cqc_well_led_tracker" if q == "well_led" else None)
            found = latest[metric].get(code) if metric else None
            labels[q] = None if found is None else rating_label(found["value"], found["extra"].get("rating"))
        return CqcRatings(org_code=code, overall=rating_label(row["value"], row["extra"].get("rating")),
                          published_on=row["period_start"], inherited=bool(row["extra"].get("inherited")),
                          source=source_label(row), **labels)
    return None


def fft_result(latest: dict[str, dict[str, dict[str, Any]]], code: str) -> FftResult | None:
    pos, neg, resp = (latest[m].get(code) for m in FFT_METRICS)
    first = pos or resp
    if first is None:
        return None
    trend = None
    if pos is not None and "mean_3m" in pos["extra"] and "mean_prior_3m" in pos["extra"]:
        recent, prior = (100 * float(pos["extra"][k]) for k in ("mean_3m", "mean_prior_3m"))
        trend = {"mean_3m": recent, "mean_prior_3m": prior, "reading": trend_reading(recent, prior),
                 "note": "mean of the latest three months against the three before (third-party file)"}
    return FftResult(positive_pct=None if pos is None else pos["value"], negative_pct=None if neg is None else
                     neg["value"], responses=None if resp is None else resp["value"], period=period_label(first),
                     source=source_label(first), trend=trend)


def _pct(part: float, whole: float) -> float | None:
    return None if not whole else 100.0 * part / whole


def quality_mix(store: Store, codes: Iterable[str], banding: ShmiBanding | None = None,
                latest: dict[str, dict[str, dict[str, Any]]] | None = None) -> dict[str, Any]:
    """CQC rating mix, SHMI (pooled ratio, bands, outliers) and pooled FFT across ``codes``."""
    codes = sorted(set(codes))
    latest = latest if latest is not None else latest_values(store, _ALL, orgs=codes)
    banding = banding if banding is not None else _banding(store)
    ratings = [r for r in (cqc_ratings(latest, c) for c in codes) if r is not None]
    mix = Counter(r.overall for r in ratings if r.overall)
    rated = sum(mix[k] for k in RATINGS)
    shmi = [banding.by_org()[c] for c in codes if banding is not None and c in banding.by_org()]
    observed, expected = sum(r.observed for r in shmi), sum(r.expected for r in shmi)
    pub = Counter(r.published_band for r in shmi if r.published_band)
    fft = [latest["fft_positive"][c] for c in codes if c in latest["fft_positive"]]
    positive = sum(float(r["numerator"]) for r in fft)
    responses = sum(float(r["denominator"]) for r in fft)
    negative = sum(float(latest["fft_negative"][r["org_code"]]["numerator"]) for r in fft
                   if r["org_code"] in latest["fft_negative"])
    return {
        "trusts": len(codes),
        "cqc": {"rated": rated, "mix": {k: mix.get(k, 0) for k in RATINGS},
                "not_rated": sum(v for k, v in mix.items() if k not in RATINGS),
                "good_or_outstanding_pct": _pct(mix["Outstanding"] + mix["Good"], rated),
                "requires_improvement_or_inadequate": sorted(r.org_code for r in ratings
                                                             if r.overall in RATINGS[2:])},
        "shmi": {"trusts": len(shmi), "value": None if not expected else observed / expected,
                 "observed": observed, "expected": expected,
                 "bands": {label: sum(1 for r in shmi if r.band == label) for label in SHMI_BAND_LABELS.values()},
                 "published_bands": {label: pub.get(label, 0) for label in SHMI_BAND_LABELS.values()},
                 "higher_than_expected": sorted(r.org_code for r in shmi if r.band == SHMI_BAND_LABELS[1]),
                 "lower_than_expected": sorted(r.org_code for r in shmi if r.band == SHMI_BAND_LABELS[3])},
        "fft": {"trusts": len(fft), "responses": responses, "positive_pct": _pct(positive, responses),
                "negative_pct": _pct(negative, responses),
                "period": period_label(fft[0]) if fft else None},
    }


def _banding(store: Store) -> ShmiBanding | None:
    try:
        return shmi_banding(store)
    except OpmodelError:
        return None


def _england(store: Store, on: dt.date, banding: ShmiBanding | None) -> dict[str, Any]:
    mix = quality_mix(store, trusts_in(store, on), banding)
    mix["note"] = ("England: the NHS trusts in the third-party files (FFT pooled from them, not NHS England's "
                   "national summary).")
    return mix


def quality_show(store: Store, org: str, on: dt.date | None = None) -> dict[str, Any]:
    """The quality view of a trust, ICB, region or England (X24), per the issue 22 JSON contract."""
    from opmodel.structure import get_organisation

    day = on or dt.date.today()
    organisation = get_organisation(store, org)
    code, kind = organisation.code, organisation.kind.value
    banding = _banding(store)
    england = _england(store, day, banding)
    out: dict[str, Any] = {"org_code": code, "org_name": organisation.name, "kind": kind, "on": day.isoformat(),
                           "note": QUALITY_NOTE}
    if kind in ("trust", "other_provider"):
        latest = latest_values(store, _ALL, orgs=[code])
        ratings = cqc_ratings(latest, code)
        shmi = banding.by_org().get(code) if banding is not None else None
        fft = fft_result(latest, code)
        out.update(cqc=None if ratings is None else ratings.to_json(),
                   shmi=None if shmi is None else shmi.to_json(),
                   fft=None if fft is None else fft.to_json(),
                   hcai=[h.to_json() for h in hcai_values(store, code, day)],
                   england={"cqc_good_or_outstanding_pct": england["cqc"]["good_or_outstanding_pct"],
                            "cqc_rated": england["cqc"]["rated"], "shmi": england["shmi"]["value"],
                            "shmi_higher_than_expected": len(england["shmi"]["higher_than_expected"]),
                            "shmi_trusts": england["shmi"]["trusts"],
                            "fft_positive_pct": england["fft"]["positive_pct"], "note": england["note"]})
        if shmi is None and banding is not None:
            out["shmi_note"] = "no SHMI: it is published for acute non-specialist trusts only"
        return out
    if kind == "national":
        members = list(trusts_in(store, day))
    elif kind in ("region", "icb"):
        members = [c for c, t in trusts_in(store, day).items() if t[kind] == code]
    else:
        raise OpmodelError(f"quality is shown for trusts, ICBs, regions and England, not a {kind.replace('_', ' ')}")
    latest = latest_values(store, _ALL, orgs=members)
    mix = quality_mix(store, members, banding, latest)
    names = trusts_in(store, day)
    rows = []
    for c in sorted(members):
        r = cqc_ratings(latest, c)
        s = banding.by_org().get(c) if banding is not None else None
        f = latest["fft_positive"].get(c)
        rows.append({"org_code": c, "org_name": names.get(c, {}).get("name"), "cqc_overall": r.overall if r else None,
                     "shmi": s.value if s else None, "shmi_band": s.band if s else None,
                     "shmi_published_band": s.published_band if s else None,
                     "fft_positive_pct": None if f is None else f["value"]})
    out.update(trusts=mix["trusts"], cqc=mix["cqc"], shmi=mix["shmi"], fft=mix["fft"], trust_rows=rows,
               england=england)
    return out
