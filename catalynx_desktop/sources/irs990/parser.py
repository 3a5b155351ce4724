"""One IRS 990 / 990-EZ / 990-PF e-file return (bytes) -> a FiledReturn, or one clear problem.

Element names come from schema.py by the return's era (Return/@returnVersion). A return that lacks
a figure its era should carry still imports: the path goes into `missing_fields`. Only what makes a
return useless is an error: not XML, not a <Return>, a form we do not keep (990-T...), no EIN or
no tax period. Values are read as the IRS gives them (EIN and codes as text, amounts as whole
numbers); an amount that is not a whole number is left None with a note.

Speed: lxml parses a typical real return in ~0.33 ms (xml.etree ~0.92 ms). Form-level lines are
found with `iterchildren(tag)` walks; rows (grants, people) are read in one pass over their
children (`_Reader.flat`), because lxml creates a proxy object per element visited: on a 990-PF
with 200 grants the rows cost ~6x the XML parse itself (xml.etree walks ~3x faster but parses
slower; an XSLT flattening was slower still).
`parse_member` and `parse_members` are module-level and picklable, for worker processes.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from lxml import etree

from catalynx_desktop.domain.giving import (
    Address,
    ApplicationInfo,
    FiledReturn,
    Financials,
    Grant,
    GrantKind,
    IndividualGrants,
    Person,
    ReturnType,
)
from catalynx_desktop.sources.irs990 import schema
from catalynx_desktop.sources.irs990.schema import Era, Names, era_of, names

DEFAULT_MAX_FIELD_CHARS = 4000  # the longest IRS text types are 1,000 characters; 4x that is junk
_OBJECT_ID = re.compile(r"(\d+)_public\.xml$", re.IGNORECASE)
_DATE = re.compile(r"(\d{4})-(\d{2})-\d{2}")
_TRUE = frozenset({"X", "x", "1", "true", "TRUE", "True"})
_FALSE = frozenset({"0", "false", "FALSE", "False"})


class ReturnError(ValueError):
    """The return cannot be imported at all; the reason is what the user reads."""


@dataclass(frozen=True, slots=True)
class ParseProblem:
    """One line of the import report: which member, which return, what went wrong."""

    member: str
    object_id: str
    reason: str

    @property
    def message(self) -> str:
        who = f" (object id {self.object_id})" if self.object_id else ""
        return f"{self.member}{who}: {self.reason}"


def object_id_from_name(name: str) -> str:
    """`.../202403589349300950_public.xml` -> '202403589349300950'; other names -> ''."""
    match = _OBJECT_ID.search(name.replace("\\", "/").rsplit("/", 1)[-1])
    return match.group(1) if match else ""


_local = threading.local()


def _xml_parser() -> etree.XMLParser:
    """One parser per thread (lxml parsers are not thread-safe). No DTD loading, no network,
    no entity expansion; huge_tree stays off so libxml2's own depth/text limits apply."""
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            remove_comments=True,
            remove_pis=True,
            huge_tree=False,
            collect_ids=False,
        )
        _local.parser = parser
    return parser


class _Reader:
    """Reads paths of one era's tables under a namespace, collecting notes on odd values."""

    def __init__(self, namespace: str, era: Era, max_chars: int) -> None:
        self.namespace = namespace
        self.era = era
        self.max_chars = max_chars
        self.notes: list[str] = []
        self.address_paths: dict[str, dict[str, schema.Path]] = {}

    def table(self, table_id: str) -> Names:
        return names(table_id, self.era, self.namespace)

    @staticmethod
    def find(el: Any, path: schema.Path) -> Any:
        for alternative in path:
            node = el
            for tag in alternative:
                node = next(node.iterchildren(tag), None)
                if node is None:
                    break
            if node is not None:
                return node
        return None

    @staticmethod
    def findall(el: Any, path: schema.Path) -> list[Any]:
        found: list[Any] = []
        for alternative in path:
            parents = [el]
            for tag in alternative[:-1]:
                parents = [child for parent in parents for child in parent.iterchildren(tag)]
            found.extend(child for parent in parents for child in parent.iterchildren(alternative[-1]))
        return found

    def text(self, el: Any, path: schema.Path) -> str:
        for alternative in path:
            node = el
            for tag in alternative:
                node = next(node.iterchildren(tag), None)
                if node is None:
                    break
            if node is not None:
                value = (node.text or "").strip()
                if value:
                    return self.clip(value, alternative[-1])
        return ""

    def clip(self, value: str, tag: str) -> str:
        if len(value) <= self.max_chars:
            return value
        self.notes.append(f"{_plain(tag)} was cut to {self.max_chars:,} of its {len(value):,} characters")
        return value[: self.max_chars]

    def amount(self, el: Any, path: schema.Path) -> int | None:
        return self.whole(self.text(el, path), path)

    def whole(self, value: str, path: schema.Path) -> int | None:
        if not value:
            return None
        try:
            return int(value)
        except ValueError:
            pass
        try:  # a few filers write cents ("1234.00"); the IRS type is whole dollars
            number = float(value)
            if number.is_integer() and abs(number) < 2**63:
                return int(number)
        except ValueError:
            pass
        tag = path[0][-1]
        self.notes.append(f"{_plain(tag)} {value[:30]!r} is not a whole number of dollars; left empty")
        return None

    # Rows (a grant, a person, an application) are read from one pass over their children:
    # a search per field made 990-PF grant tables 8x slower than parsing the XML itself.

    @staticmethod
    def flat(row: Any) -> dict[tuple[str, ...], str]:
        """A row's children and grandchildren by tag path (a repeated tag keeps its last value).
        `len(child)` first: iterating a leaf's (absent) children cost a quarter of the time."""
        values: dict[tuple[str, ...], str] = {}
        for child in row:
            tag = child.tag
            if len(child):
                values[(tag,)] = ""
                for grandchild in child:
                    values[(tag, grandchild.tag)] = grandchild.text
            else:
                values[(tag,)] = child.text
        return values

    def get(self, flat: dict[tuple[str, ...], str], path: schema.Path) -> str:
        for alternative in path:
            value = flat.get(alternative)
            if value:
                value = value.strip()
                if value:
                    return value if len(value) <= self.max_chars else self.clip(value, alternative[-1])
        return ""

    def number(self, flat: dict[tuple[str, ...], str], path: schema.Path) -> int | None:
        return self.whole(self.get(flat, path), path)

    def _leaves_under(self, tag: str, table_id: str) -> dict[str, schema.Path]:
        """The address table's leaves as paths under `tag`, built once per reader."""
        cached = self.address_paths.get(tag)
        if cached is None:
            leaves = self.table(table_id).paths.items()
            cached = {key: tuple((tag, *alt) for alt in alts) for key, alts in leaves}
            self.address_paths[tag] = cached
        return cached

    def place(
        self, flat: dict[tuple[str, ...], str], us_path: schema.Path, foreign_path: schema.Path
    ) -> Address:
        """The US or foreign address directly under a row."""
        get = self.get
        for tag, *_rest in us_path:
            if (tag,) in flat:
                leaf = self._leaves_under(tag, "us_address")
                return Address(
                    line1=get(flat, leaf["line1"]),
                    line2=get(flat, leaf["line2"]),
                    city=get(flat, leaf["city"]),
                    state=get(flat, leaf["state"]),
                    zip=get(flat, leaf["zip"]),
                )
        for tag, *_rest in foreign_path:
            if (tag,) in flat:
                leaf = self._leaves_under(tag, "foreign_address")
                return Address(
                    line1=get(flat, leaf["line1"]),
                    line2=get(flat, leaf["line2"]),
                    city=get(flat, leaf["city"]),
                    zip=get(flat, leaf["zip"]),
                    country=get(flat, leaf["country"]),
                    province=get(flat, leaf["province"]),
                )
        return Address()

    def address(self, el: Any, us_path: schema.Path, foreign_path: schema.Path) -> Address:
        node = self.find(el, us_path)
        if node is not None:
            leaves = self.table("us_address")
            return Address(
                line1=self.text(node, leaves["line1"]),
                line2=self.text(node, leaves["line2"]),
                city=self.text(node, leaves["city"]),
                state=self.text(node, leaves["state"]),
                zip=self.text(node, leaves["zip"]),
            )
        node = self.find(el, foreign_path)
        if node is not None:
            leaves = self.table("foreign_address")
            return Address(
                line1=self.text(node, leaves["line1"]),
                line2=self.text(node, leaves["line2"]),
                city=self.text(node, leaves["city"]),
                zip=self.text(node, leaves["zip"]),
                country=self.text(node, leaves["country"]),
                province=self.text(node, leaves["province"]),
            )
        return Address()


def _plain(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _indicator(value: str) -> bool | None:
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    return None


def _root(data: bytes) -> Any:
    try:
        root = etree.fromstring(data, _xml_parser())
    except etree.XMLSyntaxError as error:
        raise ReturnError(f"this is not readable XML ({error})") from None
    except ValueError as error:  # e.g. an unsupported encoding declaration
        raise ReturnError(f"this is not readable XML ({error})") from None
    if not isinstance(root.tag, str) or _plain(root.tag) != "Return":
        raise ReturnError(f"the root element is <{_plain(str(root.tag))}>, not an IRS e-file <Return>")
    return root


def _header(reader: _Reader, header: Any, missing: list[str]) -> dict[str, Any]:
    table = reader.table("header")
    ein = reader.text(header, table["ein"])
    if not (len(ein) == 9 and ein.isdigit()):
        raise ReturnError(
            f"the filer's EIN {ein!r} is not 9 digits" if ein else "the return names no filer EIN"
        )
    period_end = reader.text(header, table["period_end"])
    match = _DATE.fullmatch(period_end)
    if not match:
        what = f"{period_end[:30]!r} is not a date (YYYY-MM-DD)" if period_end else "is missing"
        raise ReturnError(f"the tax period end ({table.plain['period_end']}) {what}")
    year_text = reader.text(header, table["tax_year"])
    if not year_text.isdigit():
        missing.append(f"ReturnHeader/{table.plain['tax_year']}")
    name = reader.text(header, table["name1"])
    if not name:
        missing.append(f"ReturnHeader/{table.plain['name1']}")
    return {
        "ein": ein,
        "tax_period_end": period_end,
        "tax_period": match.group(1) + match.group(2),
        "tax_year": int(year_text) if year_text.isdigit() else None,
        "filer_name": name,
        "filer_name_line2": reader.text(header, table["name2"]),
        "filer_address": reader.address(header, table["us_address"], table["foreign_address"]),
    }


def _return_type(reader: _Reader, header: Any, data_el: Any) -> tuple[ReturnType, Any]:
    declared = reader.text(header, reader.table("header")["return_type"])
    ns = f"{{{reader.namespace}}}" if reader.namespace else ""
    if not declared:  # infer from the form element present
        for code, element in schema.FORM_ELEMENT.items():
            if data_el is not None and next(data_el.iterchildren(ns + element), None) is not None:
                declared = code
                break
    try:
        kind = ReturnType(declared)
    except ValueError:
        shown = f"form {declared[:20]}" if declared else "a return with no form type"
        raise ReturnError(f"{shown} is not one we import (990, 990-EZ, 990-PF)") from None
    form = None if data_el is None else next(data_el.iterchildren(ns + schema.FORM_ELEMENT[kind]), None)
    if form is None:
        raise ReturnError(f"ReturnData has no {schema.FORM_ELEMENT[kind]} element for this form {kind}")
    return kind, form


def _people(reader: _Reader, form: Any, path: schema.Path, table_id: str) -> tuple[Person, ...]:
    leaves = reader.table(table_id).paths  # a plain dict: rows look keys up often
    people = []
    for row in reader.findall(form, path):
        flat = reader.flat(row)
        people.append(
            Person(
                name=reader.get(flat, leaves["name"]),
                title=reader.get(flat, leaves["title"]),
                hours_per_week=reader.get(flat, leaves["hours"]),
                compensation=reader.number(flat, leaves["compensation"]),
            )
        )
    return tuple(people)


def _pf_grants(reader: _Reader, rows: Iterable[Any], kind: GrantKind) -> list[Grant]:
    leaves = reader.table("pf_grant").paths  # a plain dict: rows look keys up often
    grants = []
    for row in rows:
        flat = reader.flat(row)
        business = reader.get(flat, leaves["name1"])
        grants.append(
            Grant(
                kind=kind,
                recipient_name=business or reader.get(flat, leaves["person"]),
                recipient_name_line2=reader.get(flat, leaves["name2"]),
                address=reader.place(flat, leaves["us_address"], leaves["foreign_address"]),
                foundation_status=reader.get(flat, leaves["status"]),
                relationship=reader.get(flat, leaves["relationship"]),
                purpose=reader.get(flat, leaves["purpose"]),
                cash_amount=reader.number(flat, leaves["amount"]),
            )
        )
    return grants


def _pf_applications(reader: _Reader, form: Any, table: Names) -> tuple[ApplicationInfo, ...]:
    leaves = reader.table("pf_application").paths  # a plain dict: rows look keys up often
    applications = []
    for row in reader.findall(form, table["application"]):
        flat = reader.flat(row)
        applications.append(
            ApplicationInfo(
                contact_name=reader.get(flat, leaves["name"]),
                contact_address=reader.place(flat, leaves["us_address"], leaves["foreign_address"]),
                phone=reader.get(flat, leaves["phone"]),
                email=reader.get(flat, leaves["email"]),
                form_and_materials=reader.get(flat, leaves["form"]),
                deadlines=reader.get(flat, leaves["deadlines"]),
                restrictions=reader.get(flat, leaves["restrictions"]),
            )
        )
    return tuple(applications)


def _schedule_i(reader: _Reader, schedule: Any) -> tuple[list[Grant], list[IndividualGrants]]:
    table = reader.table("schedule_i")
    leaves = reader.table("schedule_i_recipient").paths  # a plain dict: rows look keys up often
    grants = []
    for row in reader.findall(schedule, table["recipients"]):
        flat = reader.flat(row)
        ein = reader.get(flat, leaves["ein"])
        if ein and not (len(ein) == 9 and ein.isdigit()):
            reader.notes.append(f"a Schedule I recipient EIN {ein[:20]!r} is not 9 digits; left empty")
            ein = ""
        grants.append(
            Grant(
                kind=GrantKind.SCHEDULE_I,
                recipient_name=reader.get(flat, leaves["name1"]),
                recipient_name_line2=reader.get(flat, leaves["name2"]),
                recipient_ein=ein,
                address=reader.place(flat, leaves["us_address"], leaves["foreign_address"]),
                foundation_status=reader.get(flat, leaves["irc_section"]),
                purpose=reader.get(flat, leaves["purpose"]),
                cash_amount=reader.number(flat, leaves["cash"]),
                noncash_amount=reader.number(flat, leaves["noncash"]),
            )
        )
    parts = reader.table("schedule_i_individuals").paths  # a plain dict: rows look keys up often
    individuals = []
    for row in reader.findall(schedule, table["individuals"]):
        flat = reader.flat(row)
        individuals.append(
            IndividualGrants(
                grant_type=reader.get(flat, parts["type"]),
                recipient_count=reader.number(flat, parts["count"]),
                cash_amount=reader.number(flat, parts["cash"]),
                noncash_amount=reader.number(flat, parts["noncash"]),
            )
        )
    return grants, individuals


def _financials(reader: _Reader, form: Any, kind: ReturnType, table: Names, missing: list[str]) -> Financials:
    element = schema.FORM_ELEMENT[kind]
    for key in schema.EXPECTED[kind]:
        if reader.find(form, table[key]) is None:
            missing.append(f"{element}/{table.plain[key]}")
    values = {
        "total_assets": reader.amount(form, table["total_assets"]),
        "total_revenue": reader.amount(form, table["total_revenue"]),
        "contributions_received": reader.amount(form, table["contributions"]),
        "total_grants_paid": reader.amount(form, table["grants_paid"]),
    }
    if kind is ReturnType.FORM_990PF:
        values.update(
            fair_market_value=reader.amount(form, table["fair_market_value"]),
            qualifying_distributions=reader.amount(form, table["qualifying_distributions"]),
            distributable_amount=reader.amount(form, table["distributable_amount"]),
            listed_grants_paid_total=reader.amount(form, table["paid_total"]),
            future_grants_total=reader.amount(form, table["future_total"]),
        )
    return Financials(**values)


def _body(reader: _Reader, kind: ReturnType, form: Any, data_el: Any, missing: list[str]) -> dict[str, Any]:
    table = reader.table(kind.value)
    body: dict[str, Any] = {
        "website": reader.text(form, table["website"]),
        "financials": _financials(reader, form, kind, table, missing),
        "amended": _indicator(reader.text(form, table["amended"])) is True,
    }
    if kind is ReturnType.FORM_990PF:
        paid = _pf_grants(reader, reader.findall(form, table["paid"]), GrantKind.PAID)
        future = _pf_grants(reader, reader.findall(form, table["future"]), GrantKind.FUTURE)
        body["grants"] = (*paid, *future)
        body["application"] = _pf_applications(reader, form, table)
        body["preselected_only"] = _indicator(reader.text(form, table["preselected"])) is True
        body["people"] = _people(reader, form, table["people"], "person_ez_pf")
    elif kind is ReturnType.FORM_990:
        ns = f"{{{reader.namespace}}}" if reader.namespace else ""
        schedule = next(data_el.iterchildren(ns + schema.SCHEDULE_I_ELEMENT), None)
        body["schedule_i_filed"] = schedule is not None
        if schedule is not None:
            grants, individuals = _schedule_i(reader, schedule)
            body["grants"] = tuple(grants)
            body["individual_grants"] = tuple(individuals)
        body["people"] = _people(reader, form, table["people"], "person_990")
    else:
        body["people"] = _people(reader, form, table["people"], "person_ez_pf")
    return body


def parse_return(
    data: bytes, *, object_id: str = "", max_field_chars: int = DEFAULT_MAX_FIELD_CHARS
) -> FiledReturn:
    """Parse one return. Raises ReturnError (reason only; the caller names the member)."""
    root = _root(data)
    namespace = root.tag[1:].split("}", 1)[0] if root.tag.startswith("{") else ""
    version = (root.get("returnVersion") or "").strip()
    reader = _Reader(namespace, era_of(version), max_field_chars)
    ns = f"{{{namespace}}}" if namespace else ""
    header = next(root.iterchildren(ns + "ReturnHeader"), None)
    if header is None:
        raise ReturnError("the return has no ReturnHeader")
    data_el = next(root.iterchildren(ns + "ReturnData"), None)
    kind, form = _return_type(reader, header, data_el)
    missing: list[str] = []
    if not version:
        missing.append("Return/@returnVersion")
    head = _header(reader, header, missing)
    body = _body(reader, kind, form, data_el, missing)
    if not body["amended"]:  # some versions carry the box in the header
        body["amended"] = _indicator(reader.text(header, ((ns + "AmendedReturnInd",),))) is True
    return FiledReturn(
        object_id=object_id,
        return_type=kind,
        return_version=version,
        missing_fields=tuple(missing),
        notes=tuple(reader.notes),
        **head,
        **body,
    )


def parse_member(
    name: str, data: bytes, max_field_chars: int = DEFAULT_MAX_FIELD_CHARS
) -> FiledReturn | ParseProblem:
    """Parse one member (a file or zip member named `{OBJECT_ID}_public.xml`); never raises for
    bad input. Module-level so worker processes can receive it by reference."""
    object_id = object_id_from_name(name)
    try:
        return parse_return(data, object_id=object_id or _stem(name), max_field_chars=max_field_chars)
    except ReturnError as error:
        return ParseProblem(name, object_id, str(error))
    except RecursionError:
        return ParseProblem(name, object_id, "the XML is nested too deeply to read")


def parse_members(
    batch: Iterable[tuple[str, bytes]], max_field_chars: int = DEFAULT_MAX_FIELD_CHARS
) -> list[FiledReturn | ParseProblem]:
    """Parse many members in one call (one round trip to a worker process for the whole batch)."""
    return [parse_member(name, data, max_field_chars) for name, data in batch]


def _stem(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return base.rsplit(".", 1)[0] if "." in base else base
