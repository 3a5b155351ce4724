"""Grants.gov XML extract (GrantsDBExtractYYYYMMDDv2.zip or the bare .xml): a streaming parser.

Facts from the official XSD (tests/data/OpportunityDetail-V1.0.xsd) and a real record:
root `Grants` in namespace http://apply.grants.gov/system/OpportunityDetail-V1.0; records are
OpportunitySynopsisDetail_1_0 and OpportunityForecastDetail_1_0 (we accept them interleaved,
though the XSD orders them); dates MMDDYYYY; amounts are digit strings where 0 or empty means
"not stated", AwardCeiling may be "none"; rich text carries HTML escaped twice (the XML layer
removes one level, we remove the other and reduce the HTML to plain text).

The zip is read through zipfile, which takes sizes from the central directory, so archives
written by a streaming writer (sizes in data descriptors) read the same as normal ones.
iterparse with clearing keeps memory flat whatever the file size.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import IO

from catalynx_desktop.domain.records import RecordError, RecordKind, Source
from catalynx_desktop.sources.base import (
    FormatError,
    ParseItem,
    clip,
    fast_record,
    parse_mmddyyyy,
    shown_number,
    whole_number,
)
from catalynx_desktop.sources.limits import CappedReader, open_member

NAMESPACE = "http://apply.grants.gov/system/OpportunityDetail-V1.0"
_NS = "{" + NAMESPACE + "}"
ROOT_TAG = _NS + "Grants"
SYNOPSIS_TAG = _NS + "OpportunitySynopsisDetail_1_0"
FORECAST_TAG = _NS + "OpportunityForecastDetail_1_0"
RECORD_TAGS = frozenset({SYNOPSIS_TAG, FORECAST_TAG})

# Elements that may repeat (maxOccurs="unbounded" in the XSD).
_LIST_FIELDS = frozenset(
    {"FundingInstrumentType", "CategoryOfFundingActivity", "CFDANumbers", "EligibleApplicants"}
)
# Free-text elements that carry doubly-escaped HTML.
_RICH_TEXT = (
    "Description",
    "AdditionalInformationOnEligibility",
    "GrantorContactText",
    "CloseDateExplanation",
    "EstimatedSynopsisCloseDateExplanation",
    "CategoryExplanation",
)
# Extra elements kept (as plain text) in SourceRecord.extra for the details pane.
_EXTRA_TEXT = (
    "AgencyCode",
    "Version",
    "CostSharingOrMatchingRequirement",
    "AdditionalInformationURL",
    "AdditionalInformationText",
    "GrantorContactEmail",
    "GrantorContactEmailDescription",
    "GrantorContactPhoneNumber",
    "OpportunityCategory",
    "OpportunityCategoryExplanation",
    "FiscalYear",
    "ExpectedNumberOfAwards",
)
_EXTRA_DATES = (
    "LastUpdatedDate",
    "ArchiveDate",
    "EstimatedSynopsisPostDate",
    "EstimatedSynopsisCloseDate",
    "EstimatedAwardDate",
    "EstimatedProjectStartDate",
)
_EXTRA_RICH = (
    "AdditionalInformationOnEligibility",
    "GrantorContactText",
    "GrantorContactName",
    "CloseDateExplanation",
    "EstimatedSynopsisCloseDateExplanation",
    "CategoryExplanation",
)


# Tags that end a line of text, then any tag. A tag must start with a letter (or "/"), so
# text such as "age < 5" survives. We only need readable text for display and search, not a
# DOM, and html.parser costs ~10x more per record on an 80,000-record extract.
_BREAK_TAGS = re.compile(r"<\s*/?\s*(?:br|p|div|li|tr|h[1-6]|ul|ol|table)\b[^<>]*>", re.IGNORECASE)
_ANY_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_BLANK_LINES = re.compile(r"[ \t\r\f\v]*\n\s*")
_SPACES = re.compile(r"[ \t\r\f\v\xa0]+")


def html_to_text(text: str) -> str:
    """Undo the second level of escaping and reduce the HTML to readable plain text.

    The XML layer already removed one level; the field is HTML, so: unescape to HTML, drop
    tags (line-ending ones become newlines), then decode the HTML's own entities.
    """
    if "&" not in text and "<" not in text:
        return text.strip()
    markup = html.unescape(text)
    if "<" in markup:
        markup = _ANY_TAG.sub("", _BREAK_TAGS.sub("\n", markup))
    plain = html.unescape(markup) if "&" in markup else markup
    return _BLANK_LINES.sub("\n", _SPACES.sub(" ", plain)).strip()


def parse_amount(text: str, what: str) -> int | None:
    """Digit strings; 0, empty and 'none' (AwardCeiling) all mean 'not stated'."""
    text = text.strip()
    if not text or text.lower() == "none":
        return None
    if not text.isdecimal():
        raise ValueError(f"{what} {shown_number(text)} is not a whole number of dollars")
    return whole_number(text, what) or None  # beyond 64 bits: ValueError, the record is skipped


_DECLARED_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?\bencoding\s*=\s*["']([^"']{0,60})""")


def declared_encoding(head: bytes) -> str | None:
    """The encoding an XML declaration at the start of `head` names, if any."""
    match = _DECLARED_ENCODING.match(head.removeprefix(b"\xef\xbb\xbf"))
    return match.group(1).decode("ascii", "replace") if match else None


def encoding_error(path: Path, head: bytes, error: Exception, where: str = "this XML file") -> FormatError:
    """The one message for an XML declaration naming an encoding the XML reader cannot use.

    expat reports it as LookupError (unknown, or not a text encoding like 'rot13') or ValueError
    (multi-byte encodings other than UTF-8/16, codecs such as 'idna') from its first read."""
    name = declared_encoding(head)
    named = f"encoding {name!r}" if name is not None else "an encoding"
    detail = "" if str(error).startswith("unknown encoding") else f" ({error})"
    return FormatError(
        path,
        f"{where} declares {named}, which Python cannot read{detail}; save it as UTF-8 and import it again",
    )


def open_xml_stream(path: Path) -> tuple[IO[bytes], CappedReader, str]:
    """(raw file, XML byte stream, member name). The raw file's position drives progress.

    The XML is read through a CappedReader (sources/limits.py): a member that expands like a
    bomb, or a record longer than any real one, stops the import with one message."""
    raw = path.open("rb")
    try:
        if zipfile.is_zipfile(raw):
            raw.seek(0)
            archive = zipfile.ZipFile(raw)
            members = [
                m for m in archive.infolist() if m.filename.lower().endswith(".xml") and not m.is_dir()
            ]
            if not members:
                names = ", ".join(m.filename for m in archive.infolist()[:5]) or "nothing"
                raise FormatError(path, f"this zip holds no Grants.gov XML extract (it holds {names})")
            where = f"the XML file {members[0].filename} in this zip"
            return raw, open_member(path, raw, archive, members[0], where), members[0].filename
        raw.seek(0)
        return raw, CappedReader(raw, path, "this XML file", None), path.name
    except zipfile.BadZipFile as error:
        raw.close()
        raise FormatError(path, f"this zip archive is damaged ({error})") from error
    except BaseException:
        raw.close()
        raise


def derive_status(forecast: bool, close: date | None, archive: date | None, as_of: date) -> str:
    """The extract has no status element: it follows from the record type and its dates."""
    if archive is not None and archive <= as_of:
        return "archived"
    if forecast:
        return "forecasted"
    if close is not None and close < as_of:
        return "closed"
    return "posted"


class GrantsGovParser:
    """Iterate a Grants.gov extract: SourceRecord per opportunity, RecordError per bad one.

    record_number is the 1-based ordinal of the opportunity element in the file. Malformed XML
    cannot be resynchronised, so it yields one RecordError naming the XML line and column and
    stops; everything before it has been yielded and imports.
    """

    source = Source.GRANTS_GOV

    def __init__(self, path: Path | str, *, as_of: date | None = None) -> None:
        self.path = Path(path)
        self.bytes_total = self.path.stat().st_size
        self.as_of = as_of or date.today()
        self._raw: IO[bytes] | None = None
        self._records_read = 0
        self._done = False
        self.member = ""

    @property
    def bytes_read(self) -> int:
        if self._done:
            return self.bytes_total
        raw = self._raw
        try:
            return raw.tell() if raw is not None else 0
        except (ValueError, OSError):
            return 0

    @property
    def records_read(self) -> int:
        return self._records_read

    def __iter__(self) -> Iterator[ParseItem]:
        raw, stream, self.member = open_xml_stream(self.path)
        self._raw = raw
        name = self.path.name
        try:
            events = ET.iterparse(stream, events=("start", "end"))
            root: ET.Element | None = None
            depth = 0  # element nesting from events (the tree itself is built ahead of them)
            try:
                for event, elem in events:
                    if event == "start":
                        depth += 1
                        if root is None:
                            root = elem
                            if elem.tag != ROOT_TAG:
                                raise FormatError(
                                    self.path,
                                    f"the XML root is <{_local(elem.tag)}>, not a "
                                    f'Grants.gov extract <Grants xmlns="{NAMESPACE}">',
                                )
                        continue
                    depth -= 1
                    if depth != 1:
                        continue  # a field inside a record, or the root itself
                    assert root is not None
                    self._records_read += 1
                    if elem.tag in RECORD_TAGS:
                        yield self._record(elem, elem.tag == FORECAST_TAG, self._records_read)
                    else:
                        yield RecordError(
                            name, self._records_read, f"unknown record type <{_local(elem.tag)}> was skipped"
                        )
                    root.clear()  # drop finished records: memory stays flat
                    stream.record_done(self._records_read)  # the next record's bytes start here
            except ET.ParseError as error:
                if root is None:
                    raise FormatError(self.path, f"this is not readable XML ({error})") from error
                line, column = error.position
                self._records_read += 1  # the damaged record counts as read and skipped
                yield RecordError(
                    name,
                    self._records_read,
                    f"the XML is malformed at line {line}, column {column} ({error}); "
                    "nothing after this point could be read",
                )
            except (LookupError, ValueError) as error:
                if root is not None:
                    raise  # not the XML declaration's encoding: a bug, not the file's fault
                raise encoding_error(self.path, self._head(), error) from error
            except (zipfile.BadZipFile, EOFError, OSError) as error:  # truncated / corrupt archive
                self._records_read += 1
                yield RecordError(
                    name,
                    self._records_read,
                    f"the file is damaged or cut off ({error}); nothing after this point could be read",
                )
            if root is None:
                raise FormatError(self.path, "the file is empty")
            self._done = True
        finally:
            stream.close()
            raw.close()

    def _head(self) -> bytes:
        """The first bytes of the XML (inside the zip for an archive), for an error message."""
        try:
            raw, stream, _member = open_xml_stream(self.path)
        except (FormatError, OSError, zipfile.BadZipFile):
            return b""
        try:
            return stream.read(1024)
        except (OSError, zipfile.BadZipFile, EOFError):
            return b""
        finally:
            stream.close()
            raw.close()

    def _record(self, elem: ET.Element, forecast: bool, number: int) -> ParseItem:
        values: dict[str, str] = {}
        lists: dict[str, list[str]] = {}
        local = _LOCAL_NAMES
        for child in elem:
            tag = child.tag
            key = local.get(tag) or _local(tag)
            text = (child.text or "").strip()
            if key in _LIST_FIELDS:
                if text:
                    lists.setdefault(key, []).append(text)
            else:
                values[key] = text
        name = self.path.name
        opp_id = values.get("OpportunityID", "")
        if not opp_id.isdigit():
            shown = f"{opp_id!r}" if opp_id else "missing"
            return RecordError(
                name,
                number,
                f"OpportunityID is {shown}: it must be digits; record skipped",
                clip(values.get("OpportunityTitle", "")),
            )
        try:
            post = parse_mmddyyyy(values.get("PostDate", ""), "PostDate")
            close_key = "EstimatedSynopsisCloseDate" if forecast else "CloseDate"
            close = parse_mmddyyyy(values.get(close_key, ""), close_key)
            archive = parse_mmddyyyy(values.get("ArchiveDate", ""), "ArchiveDate")
            extra: dict[str, object] = {"record_type": "forecast" if forecast else "synopsis"}
            for key in _EXTRA_DATES:
                if values.get(key):
                    parsed = parse_mmddyyyy(values[key], key)
                    extra[_snake(key)] = parsed.isoformat() if parsed else ""
            floor = parse_amount(values.get("AwardFloor", ""), "AwardFloor")
            ceiling = parse_amount(values.get("AwardCeiling", ""), "AwardCeiling")
            total = parse_amount(
                values.get("EstimatedTotalProgramFunding", ""), "EstimatedTotalProgramFunding"
            )
        except ValueError as error:
            return RecordError(
                name,
                number,
                f"OpportunityID {opp_id}: {error}; record skipped",
                clip(values.get("OpportunityTitle", "")),
            )
        for key in _EXTRA_TEXT:
            if values.get(key):
                extra[_snake(key)] = values[key]
        for key in _EXTRA_RICH:
            if values.get(key):
                extra[_snake(key)] = html_to_text(values[key])
        if "FundingInstrumentType" in lists:
            extra["funding_instrument_types"] = lists["FundingInstrumentType"]
        number_text = values.get("OpportunityNumber", "")
        title = values.get("OpportunityTitle", "") or number_text or f"Opportunity {opp_id}"
        return fast_record(
            {
                "source": Source.GRANTS_GOV,
                "source_id": opp_id,
                "kind": RecordKind.FEDERAL_OPPORTUNITY,
                "name": title,
                "funder_name": values.get("AgencyName", "") or values.get("AgencyCode", ""),
                "country": "US",
                "award_floor": floor,
                "award_ceiling": ceiling,
                "total_funding": total,
                "post_date": post,
                "close_date": close,
                "status": derive_status(forecast, close, archive, self.as_of),
                "eligible_applicants": tuple(lists.get("EligibleApplicants", ())),
                "cfda_numbers": tuple(lists.get("CFDANumbers", ())),
                "category": ",".join(lists.get("CategoryOfFundingActivity", ())),
                "opportunity_number": number_text,
                "description": html_to_text(values.get("Description", "")),
                "extra": extra,
            }
        )


_LOCAL_NAMES: dict[str, str] = {}


def _local(tag: str) -> str:
    """Tag without its namespace; memoized (an extract has a few dozen distinct tags)."""
    name = _LOCAL_NAMES.get(tag)
    if name is None:
        name = tag.rsplit("}", 1)[-1]
        if len(_LOCAL_NAMES) < 1000:  # bounded: a hostile file cannot grow it without limit
            _LOCAL_NAMES[tag] = name
    return name


_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SNAKE: dict[str, str] = {}


def _snake(key: str) -> str:
    """ElementName -> element_name for extra's keys (memoized: only our constant names come here)."""
    name = _SNAKE.get(key)
    if name is None:
        name = _SNAKE[key] = _CAMEL.sub("_", key).lower()
    return name
