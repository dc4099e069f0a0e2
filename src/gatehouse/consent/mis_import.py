"""Read a pupil list exported from the school's MIS (SIMS or Arbor) as CSV.

Parsing is separate from saving: a file with any bad row is reported line by line and nothing
is imported, so a school never ends up with half a register.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

MAX_ROWS = 10_000

# Normalised header names (lower case, words only) that SIMS and Arbor exports use, best first.
ALIASES: dict[str, tuple[str, ...]] = {
    "mis_id": ("mis id", "upn", "adno", "admission number", "arbor student id", "student id",
               "pupil id", "id"),
    "first_name": ("legal forename", "forename", "legal first name", "first name", "firstname",
                   "given name"),
    "last_name": ("legal surname", "surname", "legal last name", "last name", "lastname",
                  "family name"),
    "preferred_name": ("preferred forename", "preferred first name", "preferred name",
                       "known as"),
    "year_group": ("year group", "year", "nc year", "ncyear", "national curriculum year",
                   "year taught in"),
    "class_name": ("class", "class name", "form", "form group", "reg group", "registration group",
                   "registration form", "reg form", "tutor group", "form class"),
}
REQUIRED = ("mis_id", "first_name", "last_name", "year_group")
# The register's column widths (consent.models.Pupil): a longer value is reported, not cut.
MAX_LENGTHS = {"mis_id": 50, "year_group": 30, "class_name": 30}
# "Contact 1 Name", "Primary Contact Email", "Parent Email", "Guardian 2 Email Address"...
_CONTACT = re.compile(
    r"^(?P<who>contact|parent|guardian|carer|primary contact|priority \d+ contact)\s*"
    r"(?P<n>\d*)\s*(?P<what>name|full name|email|email address)$"
)


@dataclass
class ContactRow:
    name: str
    email: str


@dataclass
class PupilRow:
    line: int
    mis_id: str
    first_name: str
    last_name: str
    preferred_name: str
    year_group: str
    class_name: str = ""
    contacts: list[ContactRow] = field(default_factory=list)


class ImportErrors(Exception):
    """Every problem found, as (line number, message); nothing has been saved."""

    def __init__(self, problems: list[tuple[int, str]]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


def normalise(header: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", header.lower()).split())


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")  # strips a BOM if Excel added one
    except UnicodeDecodeError as exc:
        message = ("The file is not UTF-8 text. In Excel choose “Save as… CSV UTF-8”, "
                   "or export CSV from the MIS again.")
        raise ImportErrors([(1, message)]) from exc


def parse(text: str) -> list[PupilRow]:
    """Every pupil in the file, contacts merged by MIS id; raises ImportErrors."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header:
        raise ImportErrors([(1, "The file is empty.")])
    columns, contacts = _columns(header)
    rows: dict[str, PupilRow] = {}
    problems: list[tuple[int, str]] = []
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise ImportErrors([(reader.line_num, f"More than {MAX_ROWS} pupils in one file.")])
        try:
            _merge(rows, _row(reader.line_num, cells, columns, contacts))
        except ValidationError as exc:
            problems.extend((reader.line_num, m) for m in exc.messages)
    if problems:
        raise ImportErrors(problems)
    if not rows:
        raise ImportErrors([(2, "The file has a header row but no pupils.")])
    return list(rows.values())


def _columns(header: list[str]) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    names = [normalise(h) for h in header]
    columns: dict[str, int] = {}
    for key, aliases in ALIASES.items():
        for alias in aliases:
            if alias in names:
                columns[key] = names.index(alias)
                break
    missing = [key for key in REQUIRED if key not in columns]
    if missing:
        wanted = "; ".join(f"{k.replace('_', ' ')} (e.g. “{ALIASES[k][1].title()}”)"
                           for k in missing)
        raise ImportErrors([(1, f"The header row has no column for: {wanted}.")])
    contacts: dict[str, dict[str, int]] = {}
    for index, name in enumerate(names):
        match = _CONTACT.match(name)
        if match:
            what = "email" if "email" in match["what"] else "name"
            contacts.setdefault(f"{match['who']} {match['n']}", {})[what] = index
    return columns, contacts


def _cell(cells: list[str], index: int | None) -> str:
    if index is None or index >= len(cells):
        return ""
    return cells[index].strip()


def _row(line: int, cells: list[str], columns: dict[str, int],
         contacts: dict[str, dict[str, int]]) -> PupilRow:
    values = {key: _cell(cells, index) for key, index in columns.items()}
    errors = [f"{key.replace('_', ' ').capitalize()} is empty."
              for key in REQUIRED if not values.get(key)]
    errors += [f"{key.replace('_', ' ').capitalize()} is too long."
               for key, value in values.items() if len(value) > MAX_LENGTHS.get(key, 100)]
    row = PupilRow(line=line, mis_id=values.get("mis_id", ""),
                   first_name=values.get("first_name", ""), last_name=values.get("last_name", ""),
                   preferred_name=values.get("preferred_name", ""),
                   year_group=_year(values.get("year_group", "")),
                   class_name=values.get("class_name", ""))
    for slot in contacts.values():
        name, email = _cell(cells, slot.get("name")), _cell(cells, slot.get("email")).lower()
        if not name and not email:
            continue
        try:
            if email:
                validate_email(email)
        except ValidationError:
            errors.append(f"“{email}” is not an email address.")
        row.contacts.append(ContactRow(name=name or email, email=email))
    if errors:
        raise ValidationError(errors)
    return row


def _year(value: str) -> str:
    """"4", "Y4", "Year 4" and "NC Year 4" all mean "Year 4"; "R" means Reception."""
    match = re.fullmatch(r"(?:nc\s*)?(?:year|yr|y)?\s*(\d{1,2})", value.strip().lower())
    if match:
        return f"Year {int(match[1])}"
    if value.strip().lower() in {"r", "rec", "reception"}:
        return "Reception"
    return value.strip()


def _merge(rows: dict[str, PupilRow], row: PupilRow) -> None:
    """One row per contact is also a common export shape: merge rows with the same MIS id."""
    earlier = rows.get(row.mis_id)
    if earlier is None:
        rows[row.mis_id] = row
        return
    if (earlier.first_name, earlier.last_name) != (row.first_name, row.last_name):
        raise ValidationError(
            f"MIS id {row.mis_id} is also on line {earlier.line} for a different pupil "
            f"({earlier.first_name} {earlier.last_name})."
        )
    earlier.contacts.extend(c for c in row.contacts if c not in earlier.contacts)
