"""Generate Grants.gov XML extracts that validate against OpportunityDetail-V1.0.xsd.

Faithful to the real extract: namespaced <Grants> root, synopsis and forecast records with
the XSD's element order, MMDDYYYY dates, amounts as digit strings with 0 meaning "not stated",
AwardCeiling sometimes "none", repeated CFDANumbers / EligibleApplicants, descriptions with
HTML escaped twice (as in GrantorContactText of the real record), some non-ASCII text.

Zips: `write_grants_zip(..., streamed=False)` is a normal zip; `streamed=True` writes through
a non-seekable stream, so zipfile sets flag bit 3 and puts sizes in data descriptors after the
data, like the streaming writer that produces the real GrantsDBExtract zips.

The XSD orders all synopses before all forecasts; `interleave=True` mixes them (what a
robust parser must also accept) and is therefore not schema-valid.

    python -m tests.datagen.grantsgov_gen OUT.zip RECORDS [--streamed]
"""

from __future__ import annotations

import html
import io
import random
import sys
import zipfile
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import IO
from xml.sax.saxutils import escape

NAMESPACE = "http://apply.grants.gov/system/OpportunityDetail-V1.0"
_AGENCIES = (
    ("DOI-USGS1", "Geological Survey"),
    ("HHS-NIH11", "National Institutes of Health"),
    ("USDA-NIFA", "National Institute of Food and Agriculture"),
    ("ED", "Department of Education"),
    ("NEA", "National Endowment for the Arts"),
    ("DOC-NOAA", "DOC NOAA - ERA Production"),
)
_TOPICS = (
    "rural broadband",
    "watershed restoration",
    "early literacy",
    "community health workers",
    "arts education",
    "fisheries science",
    "café culture preservation",
    "workforce training – youth",
)
_CATEGORIES = ("ST", "HL", "ED", "AR", "NR", "ENV", "CD", "O")
_ELIGIBLE = ("00", "01", "02", "06", "12", "13", "20", "22", "25", "99")
_INSTRUMENTS = ("G", "CA", "PC", "O")


def _d(day: date) -> str:
    return day.strftime("%m%d%Y")


def _amount_text(rng: random.Random, allow_none: bool = False) -> str:
    roll = rng.random()
    if allow_none and roll < 0.05:
        return "none"
    if roll < 0.25:
        return "0"
    return str(rng.randint(1, 500) * 1000)


def _description(rng: random.Random, topic: str) -> str:
    """Plain text with HTML, escaped once here; the XML writer escapes it a second time."""
    body = (
        f"<p>This program supports {topic} projects.</p><p>Applicants must &amp; should "
        f"describe outcomes.<br/>See the NOFO for details.</p>"
        if rng.random() < 0.6
        else f"Support for {topic} in underserved communities. " * rng.randint(1, 4)
    )
    return html.escape(body, quote=False)


def _elem(name: str, value: str) -> str:
    return f"<{name}>{escape(value)}</{name}>"


def _record(rng: random.Random, opp_id: int, forecast: bool, today: date) -> str:
    code, agency = rng.choice(_AGENCIES)
    topic = rng.choice(_TOPICS)
    post = today - timedelta(days=rng.randint(0, 900))
    parts = [
        _elem("OpportunityID", str(opp_id)),
        _elem("OpportunityTitle", f"{topic.title()} Program FY{post.year} #{opp_id}"),
        _elem("OpportunityNumber", f"{code}-{post.year % 100:02d}-{opp_id % 100000:05d}"),
        _elem("OpportunityCategory", rng.choice("DMCEO")),
        _elem("FundingInstrumentType", rng.choice(_INSTRUMENTS)),
    ]
    parts += [_elem("CategoryOfFundingActivity", c) for c in rng.sample(_CATEGORIES, rng.randint(1, 2))]
    parts += [
        _elem("CFDANumbers", f"{rng.randint(10, 99)}.{rng.randint(0, 999):03d}")
        for _ in range(rng.randint(0, 2))
    ]
    parts += [_elem("EligibleApplicants", e) for e in rng.sample(_ELIGIBLE, rng.randint(1, 3))]
    parts += [
        _elem("AdditionalInformationOnEligibility", "Nonprofits with 501(c)(3) status &amp; others."),
        _elem("AgencyCode", code),
        _elem("AgencyName", agency),
        _elem("PostDate", _d(post)),
    ]
    close = post + timedelta(days=rng.randint(20, 400))
    if forecast:
        parts += [
            _elem("LastUpdatedDate", _d(post)),
            _elem("EstimatedSynopsisPostDate", _d(post + timedelta(days=30))),
            _elem("FiscalYear", str(close.year)),
            _elem("EstimatedSynopsisCloseDate", _d(close)),
            _elem("EstimatedAwardDate", _d(close + timedelta(days=60))),
        ]
    else:
        if rng.random() < 0.9:
            parts.append(_elem("CloseDate", _d(close)))
        parts.append(_elem("LastUpdatedDate", _d(post + timedelta(days=rng.randint(0, 10)))))
    parts += [
        _elem("AwardCeiling", _amount_text(rng, allow_none=True)),
        _elem("AwardFloor", _amount_text(rng)),
        _elem("EstimatedTotalProgramFunding", rng.choice(("", "0", str(rng.randint(1, 9000) * 10_000)))),
        _elem("ExpectedNumberOfAwards", str(rng.randint(1, 40))),
        _elem("Description", _description(rng, topic)),
        _elem("Version", "Forecast 1" if forecast else f"Synopsis {rng.randint(1, 3)}"),
        _elem("CostSharingOrMatchingRequirement", rng.choice(("Yes", "No"))),
    ]
    if rng.random() < 0.3:
        parts.append(_elem("ArchiveDate", _d(close + timedelta(days=30))))
    parts += [
        _elem("AdditionalInformationURL", "https://www.grants.gov/"),
        _elem("GrantorContactEmail", "grants@example.gov"),
    ]
    if forecast:
        parts += [
            _elem("GrantorContactName", html.escape("Pat Doe<br/>Program Officer", quote=False)),
            _elem("GrantorContactPhoneNumber", "202-555-0100"),
        ]
    else:
        parts.append(
            _elem(
                "GrantorContactText",
                html.escape("Pat Doe, 202-555-0100<br/>grants@example.gov<br/>", quote=False),
            )
        )
    tag = "OpportunityForecastDetail_1_0" if forecast else "OpportunitySynopsisDetail_1_0"
    return f"<{tag}>" + "".join(parts) + f"</{tag}>\n"


def grants_xml_chunks(
    n: int,
    *,
    seed: int = 0,
    forecast_share: float = 0.2,
    interleave: bool = False,
    first_id: int = 100_000,
    today: date | None = None,
) -> Iterator[str]:
    """The document in pieces (one record each), so any size streams."""
    rng = random.Random(seed)
    today = today or date(2026, 11, 1)
    yield f'<?xml version="1.0" encoding="UTF-8"?>\n<Grants xmlns="{NAMESPACE}">\n'
    n_forecast = int(n * forecast_share)
    kinds = [False] * (n - n_forecast) + [True] * n_forecast
    if interleave:
        rng.shuffle(kinds)
    for i, forecast in enumerate(kinds):
        yield _record(rng, first_id + i * 3, forecast, today)
    yield "</Grants>\n"


def write_grants_xml(stream: IO[bytes], n: int, **options: object) -> None:
    buffer: list[str] = []
    for chunk in grants_xml_chunks(n, **options):  # type: ignore[arg-type]
        buffer.append(chunk)
        if len(buffer) >= 500:
            stream.write("".join(buffer).encode("utf-8"))
            buffer.clear()
    stream.write("".join(buffer).encode("utf-8"))


class _NonSeekable(io.RawIOBase):
    """A write-only stream that cannot seek or tell: makes zipfile use data descriptors."""

    def __init__(self, target: IO[bytes]) -> None:
        self._target = target

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        return self._target.write(data)

    def flush(self) -> None:
        self._target.flush()


def write_grants_zip(
    path: Path | str,
    n: int,
    *,
    streamed: bool = False,
    member: str = "GrantsDBExtract20261101v2.xml",
    **options: object,
) -> Path:
    path = Path(path)
    with path.open("wb") as raw:
        target: IO[bytes] = _NonSeekable(raw) if streamed else raw  # type: ignore[assignment]
        with (
            zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive,
            archive.open(member, "w", force_zip64=True) as out,
        ):
            write_grants_xml(out, n, **options)
    return path


def has_data_descriptor(path: Path | str) -> bool:
    """True when the first local header has flag bit 3 (sizes follow the data)."""
    with Path(path).open("rb") as stream:
        head = stream.read(8)
    return head[:4] == b"PK\x03\x04" and bool(int.from_bytes(head[6:8], "little") & 0x08)


if __name__ == "__main__":
    write_grants_zip(sys.argv[1], int(sys.argv[2]), streamed="--streamed" in sys.argv)
