"""The population-health indicator catalogue: definition, polarity, value type, source, licence.

Entries for the ICB-level extract are fixed here (the third party gives only a metric label);
Fingertips indicators are described by Fingertips' own metadata file when it is loaded, with the
entries below as the defaults the package ships.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from opmodel.errors import UnknownCodeError

__all__ = [
    "CATALOGUE",
    "DENOMINATORS",
    "FINGERTIPS_PREFIX",
    "THIRD_PARTY_METRICS",
    "Indicator",
    "get_indicator",
    "indicator_from_fingertips",
    "polarity_from_fingertips",
]

OGL = "Open Government Licence v3.0"
THIRD_PARTY = ("Third-party extract (NHS BNSSG ICB 'fpt_analysis', 2024) of NHS England, NHS Digital "
               "and OHID Fingertips publications")
FINGERTIPS = "OHID Fingertips (Pholio), via the FingertipsNext repository"
IMD = "MHCLG English Indices of Deprivation 2025, ICB summaries (via the R package IMD)"
FINGERTIPS_PREFIX = "ft"


@dataclass(frozen=True)
class Indicator:
    """One indicator: what it measures and how to read and compare it."""

    indicator_id: str
    name: str
    definition: str
    polarity: str          # high_is_good | low_is_good | no_judgement
    value_type: str        # proportion | crude_rate | dsr | score | count
    multiplier: float      # 100 for percentages, 100000 for rates per 100,000
    source: str
    licence: str = OGL
    third_party: bool = False
    confidence: float = 0.95   # the interval used for comparison with England
    unit: str = "%"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _qof(slug: str, label: str, ages: str) -> Indicator:
    return Indicator(f"qof_{slug}", f"{label} prevalence (QOF, {ages})",
                     f"Patients on the GP {label.lower()} register as a share of registered patients {ages} "
                     "(Quality and Outcomes Framework), by ICB.",
                     "no_judgement", "proportion", 100.0, THIRD_PARTY, third_party=True, confidence=0.998)


_ENTRIES = [
    _qof("hypertension", "Hypertension", "all ages"),
    _qof("diabetes", "Diabetes", "17+"),
    _qof("copd", "COPD", "all ages"),
    _qof("asthma", "Asthma", "all ages"),
    _qof("chd", "Coronary heart disease", "all ages"),
    _qof("stroke", "Stroke and TIA", "all ages"),
    _qof("obesity", "Obesity", "18+"),
    Indicator("gpps_smoking", "Smoking prevalence (GP Patient Survey)",
              "Respondents to the GP Patient Survey who say they smoke, by ICB.",
              "low_is_good", "proportion", 100.0, THIRD_PARTY, third_party=True),
    Indicator("core20_share", "Core20: residents in the most deprived national IMD quintile",
              "Share of the resident population living in LSOAs in the most deprived 20% nationally "
              "(IMD 2019), by ICB: the Core20 of Core20PLUS5.",
              "no_judgement", "proportion", 100.0, THIRD_PARTY, third_party=True),
    Indicator("least_deprived_share", "Residents in the least deprived national IMD quintile",
              "Share of the resident population living in LSOAs in the least deprived 20% nationally (IMD 2019).",
              "no_judgement", "proportion", 100.0, THIRD_PARTY, third_party=True),
    Indicator("age_60_plus", "Population aged 60 and over",
              "Share of the population aged 60 and over.", "no_judgement", "proportion", 100.0, THIRD_PARTY,
              third_party=True),
    Indicator("imd2025_score", "IMD 2025 average score",
              "Population-weighted average Index of Multiple Deprivation 2025 score of the ICB's LSOAs "
              "(higher is more deprived).", "low_is_good", "score", 1.0, IMD, unit=""),
    Indicator("population_estimate", "Resident population (estimate from IMD 2025)",
              "IMD 2025 income-deprivation scale divided by the income-deprivation rate: the population the "
              "ICB summary was computed on. Used only to weight ICBs.", "no_judgement", "count", 1.0, IMD,
              unit=""),
]

#: The ICB extract's metric labels and the catalogue id each loads as.
THIRD_PARTY_METRICS = {
    "Hypertension: QOF prevalence (all ages)": "qof_hypertension",
    "Diabetes mellitus: QOF prevalence (17+ yrs)": "qof_diabetes",
    "COPD: QOF prevalence (all ages)": "qof_copd",
    "Asthma: QOF prevalence (all ages)": "qof_asthma",
    "CHD: QOF prevalence (all ages)": "qof_chd",
    "Stroke and transient ischaemic attack: QOF prevalence (all ages)": "qof_stroke",
    "Obesity: QOF prevalence (18+ yrs)": "qof_obesity",
    "% active smokers (GPPS)": "gpps_smoking",
    "Proportion of resident population in national deprivation quintile (Most deprived) - IMD 2019": "core20_share",
    "Proportion of resident population in national deprivation quintile (Least deprived quintile) - IMD 2019":
        "least_deprived_share",
    "Proportion of population in age band (60+)": "age_60_plus",
}

CATALOGUE: dict[str, Indicator] = {i.indicator_id: i for i in _ENTRIES}

#: What each fixed indicator's denominator is, where its counts are not published: a share of the resident
#: population or of registered patients can take the ICB's resident population (IMD 2025 estimate) as an
#: estimated denominator for its interval; a survey cannot (its sample is far smaller than the population),
#: and an index score has no sampling interval at all (issue 24; see docs/decisions.md).
DENOMINATORS: dict[str, str] = {
    **{f"qof_{k}": "registered patients, estimated by the ICB's resident population (IMD 2025)"
       for k in ("hypertension", "diabetes", "copd", "asthma", "chd", "stroke", "obesity")},
    "core20_share": "the ICB's resident population (IMD 2025 estimate)",
    "least_deprived_share": "the ICB's resident population (IMD 2025 estimate)",
    "age_60_plus": "the ICB's resident population (IMD 2025 estimate)",
    "gpps_smoking": "survey",
    "imd2025_score": "score",
}

_VALUE_TYPES = {"proportion": ("proportion", 100.0, "%"), "crude rate": ("crude_rate", 100_000.0, "per 100,000"),
                "directly standardised rate": ("dsr", 100_000.0, "per 100,000"), "score": ("score", 1.0, "")}


def polarity_from_fingertips(text: str | None) -> str:
    """Fingertips 'High is good' / 'Low is good' / anything else as our polarity id."""
    t = (text or "").strip().lower()
    return {"high is good": "high_is_good", "low is good": "low_is_good"}.get(t, "no_judgement")


def indicator_from_fingertips(fid: int, name: str, polarity: str | None, value_type: str | None,
                              benchmark: str | None = None) -> Indicator:
    """A catalogue entry for a Fingertips indicator, from the columns Fingertips publishes."""
    vt, mult, unit = _VALUE_TYPES.get((value_type or "").strip().lower(), ((value_type or "other").lower(), 1.0, ""))
    conf = 0.998 if benchmark and "99.8" in benchmark else 0.95
    return Indicator(f"{FINGERTIPS_PREFIX}{fid}", name, f"Fingertips indicator {fid}: {name}.",
                     polarity_from_fingertips(polarity), vt, mult, FINGERTIPS, confidence=conf, unit=unit)


def get_indicator(indicator_id: str, extra: dict[str, Indicator] | None = None) -> Indicator:
    """The catalogue entry for ``indicator_id`` (fixed entries first, then ``extra``)."""
    found = CATALOGUE.get(indicator_id) or (extra or {}).get(indicator_id)
    if found is None:
        known = sorted({*CATALOGUE, *(extra or {})})
        raise UnknownCodeError("population indicator", indicator_id,
                               [k for k in known if indicator_id.lower()[:4] in k][:5])
    return found
