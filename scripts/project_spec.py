"""A sponsor's project spec file (YAML or JSON), validated before anything is sent.

Every rule the Project contract enforces is checked here too, so a sponsor learns what is
wrong from one clear message instead of a failed transaction. Pure Python: no chain needed
except for the checks that need chain time.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, get_args

from eth_utils import keccak
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictFloat,
    StrictInt,
    ValidationError,
    field_validator,
    model_validator,
)

from backend.common.addresses import checked_address
from backend.common.config_files import parse_json, parse_yaml

GOALS = {"renewable_energy": 1, "jobs": 2, "pollution": 4, "infrastructure": 8}
# Order matters: the index is the on-chain enum value (ProjectKind, Metric).
Kind = Literal["solar", "wind", "storage", "efficiency", "hydro", "road", "bridge"]
MetricName = Literal[
    "ENERGY_KWH",
    "ENERGY_SAVED_KWH",
    "STORAGE_THROUGHPUT_KWH",
    "UPTIME_BPS",
    "REVENUE",
    "CO2_AVOIDED_KG",
    "JOBS_FTE",
]
KINDS: list[str] = list(get_args(Kind))
METRICS: list[str] = list(get_args(MetricName))
MAX_MILESTONES = 16
# Text is stored on-chain and paid for by the sponsor: generous for real names, short of abuse.
MAX_NAME = 100
MAX_LOCATION = 200
MAX_URI = 300
URI_SCHEMES = ("ipfs://", "ipns://", "ar://", "https://", "http://")
SYMBOL = re.compile(r"[A-Z0-9](?:[A-Z0-9-]{0,14}[A-Z0-9])?")
DAY = 86_400
MAX_DAYS = 3_650  # ten years: deadlines and due dates further out are surely typos
MIN_RAISE_SECONDS = 3_600  # a raise lasts at least an hour after the project is created
MAX_UNITS = 2**128  # amounts the exchange can hold in an order (uint128)


class SpecError(Exception):
    """The spec file is unreadable or breaks a rule; the message lists every problem."""


# Control characters (C0 and C1, line breaks among them), format characters (bidi overrides that
# reorder what an investor reads, zero-width spaces) and the line and paragraph separators.
_UNPRINTABLE = {"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"}


# Characters that show nothing although they are letters or marks (Hangul fillers, the blank
# braille pattern, the combining grapheme joiner, variation selectors).
_INVISIBLE = set("\u115f\u1160\u3164\uffa0\u2800\u034f\u17b4\u17b5") | {
    chr(c) for c in [*range(0x180B, 0x1810), *range(0xFE00, 0xFE10)]
}


def printable(value: str | None) -> str | None:
    """Text stored on chain and shown to investors: one line that reads as it is stored."""
    if value is None:
        return None
    for ch in value:
        if unicodedata.category(ch) in _UNPRINTABLE:
            name = unicodedata.name(ch, "a control character")
            raise ValueError(
                f"must be one line of text, without control or formatting characters "
                f"(found U+{ord(ch):04X}, {name})"
            )
    if value and all(ch.isspace() or ch in _INVISIBLE for ch in value):
        raise ValueError("must not be blank (it shows nothing)")
    return value


class RolesSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    implementor: str
    operator: str
    verifier: str

    _check = field_validator("implementor", "operator", "verifier", mode="before")(checked_address)

    @model_validator(mode="after")
    def _independent(self) -> RolesSpec:
        if self.verifier == self.implementor:
            raise ValueError(
                "the verifier approves the implementor's milestones: it must be another address"
            )
        return self


def _plain(amount: Decimal) -> str:
    """An amount as people write it: 0.0000001, not Decimal's 1E-7."""
    return format(amount, "f")


class RaiseSpec(BaseModel):
    """Amounts in human units of the funding asset (e.g. "100" = 100 USDC)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    # Bounded before any arithmetic: Decimal("1e999999999") / price would overflow.
    price: Decimal = Field(gt=0, lt=MAX_UNITS)
    goal: Decimal = Field(gt=0, lt=MAX_UNITS)
    cap: Decimal = Field(gt=0, lt=MAX_UNITS)
    deadline: datetime | None = None  # absolute, with a time zone
    # or from chain time; strict: YAML's `yes` would otherwise count as one day
    deadline_in_days: StrictFloat | None = Field(default=None, gt=0, le=MAX_DAYS)

    @field_validator("price", "goal", "cap", mode="before")
    @classmethod
    def _ascii_digits(cls, value: object) -> object:
        # Decimal reads any script's digits: "1٠5" (an Arabic-Indic zero, like a dot) is 105.
        if isinstance(value, str) and not value.isascii():
            raise ValueError(f"{value!r} is not a number written with the digits 0-9")
        return value

    @model_validator(mode="after")
    def _check(self) -> RaiseSpec:
        if self.deadline is not None and not 1970 <= self.deadline.year <= 9000:
            raise ValueError(f"deadline {self.deadline.isoformat()} is not a date of this era")
        if (self.deadline is None) == (self.deadline_in_days is None):
            raise ValueError("give exactly one of deadline or deadline_in_days")
        if self.deadline is not None and self.deadline.tzinfo is None:
            raise ValueError(
                "deadline needs a date and time with a time zone, e.g. 2027-01-15T00:00:00Z"
            )
        if self.goal > self.cap:
            raise ValueError(f"goal {_plain(self.goal)} is above cap {_plain(self.cap)}")
        for name in ("goal", "cap"):
            shares = getattr(self, name) / self.price
            if shares != shares.to_integral_value():
                raise ValueError(
                    f"{name} {_plain(getattr(self, name))} is not a whole number of shares "
                    f"at price {_plain(self.price)}"
                )
        return self


class MilestoneSpecModel(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, str_strip_whitespace=True)
    name: str = Field(min_length=1, max_length=MAX_NAME)
    tranche_bps: StrictInt = Field(gt=0, le=10_000)
    due_days_after_deadline: StrictFloat = Field(gt=0, le=MAX_DAYS)

    _text = field_validator("name")(printable)


def due_seconds(milestone: MilestoneSpecModel) -> int:
    """Seconds from the raise deadline to the milestone's due date."""
    return int(milestone.due_days_after_deadline * DAY)


class ProjectSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: str = Field(min_length=1, max_length=MAX_NAME)
    symbol: str
    kind: Kind
    goals: list[Literal["renewable_energy", "jobs", "pollution", "infrastructure"]] = Field(
        min_length=1
    )
    location: str = Field(min_length=1, max_length=MAX_LOCATION)
    capacity_kw: StrictInt = Field(ge=0, lt=2**32)
    metrics: list[MetricName] = Field(min_length=1)
    metadata_uri: str | None = Field(default=None, min_length=1, max_length=MAX_URI)
    roles: RolesSpec
    raise_: RaiseSpec = Field(alias="raise")
    milestones: list[MilestoneSpecModel] = Field(min_length=1, max_length=MAX_MILESTONES)

    _text = field_validator("name", "location", "metadata_uri")(printable)

    @field_validator("metadata_uri")
    @classmethod
    def _fetchable(cls, value: str | None) -> str | None:
        # Investors follow this link: a content address or a web page, nothing a browser runs.
        if value is not None and not value.startswith(URI_SCHEMES):
            raise ValueError(f"must start with one of {', '.join(URI_SCHEMES)}")
        if value is not None and not re.fullmatch(r"[a-z]+://[^\s/]\S*", value):
            raise ValueError(
                f"{value!r} is not a link: it needs an address after the scheme, no spaces"
            )
        return value

    @field_validator("symbol")
    @classmethod
    def _ticker(cls, value: str) -> str:
        # Capitals, digits and inner hyphens only, so that two symbols compare without case rules.
        if not SYMBOL.fullmatch(value):
            raise ValueError(
                f"{value!r} is not a ticker: 1 to 16 capital letters A-Z, digits and inner "
                "hyphens, e.g. GSO-SOLAR"
            )
        return value

    @model_validator(mode="after")
    def _check(self) -> ProjectSpec:
        total = sum(m.tranche_bps for m in self.milestones)
        if total != 10_000:
            raise ValueError(
                f"milestone tranche_bps sum to {total}; they must sum to exactly 10000"
            )
        # Compared in whole seconds, as the chain will hold them, from the deadline on.
        dues = [0] + [due_seconds(m) for m in self.milestones]
        if any(later <= earlier for earlier, later in zip(dues, dues[1:], strict=False)):
            raise ValueError(
                "milestones must be due one after another (due_days_after_deadline "
                "strictly increasing, at least a second apart)"
            )
        # The chain bounds these by nameplate capacity, and CO2 avoided by the energy reported:
        # declared without what bounds them, they could never be posted.
        bounded = [m for m in ("ENERGY_KWH", "STORAGE_THROUGHPUT_KWH") if m in self.metrics]
        if bounded and self.capacity_kw == 0:
            raise ValueError(f"a project reporting {', '.join(bounded)} needs capacity_kw > 0")
        energy = {"ENERGY_KWH", "ENERGY_SAVED_KWH"} & set(self.metrics)
        if "CO2_AVOIDED_KG" in self.metrics and not energy:
            raise ValueError(
                "CO2_AVOIDED_KG follows from energy: declare ENERGY_KWH or ENERGY_SAVED_KWH too"
            )
        return self

    @property
    def goals_mask(self) -> int:
        return sum(GOALS[g] for g in set(self.goals))

    @property
    def metrics_mask(self) -> int:
        return sum(1 << METRICS.index(m) for m in set(self.metrics))


def _format_errors(path: Path, exc: ValidationError) -> str:
    lines = [f"{path}: {exc.error_count()} problem(s):"]
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "(top level)"
        lines.append(f"  - {where}: {err['msg']}")
    return "\n".join(lines)


def load_spec(path: Path) -> tuple[ProjectSpec, bytes]:
    """Reads and validates a spec file; returns the spec and the file's bytes (hashed on-chain)."""
    try:
        raw_bytes = path.read_bytes()
    except OSError as exc:
        raise SpecError(f"cannot read spec file {path}: {exc.strerror}") from None
    try:
        data: Any = parse_json(raw_bytes) if path.suffix == ".json" else parse_yaml(raw_bytes)
    except ValueError as exc:
        raise SpecError(
            f"{path} is not valid {'JSON' if path.suffix == '.json' else 'YAML'}: {exc}"
        ) from None
    if not isinstance(data, dict):
        raise SpecError(f"{path}: the top level must be a mapping of fields")
    try:
        return ProjectSpec.model_validate(data), raw_bytes
    except ValidationError as exc:
        raise SpecError(_format_errors(path, exc)) from None


def deadline_timestamp(spec: ProjectSpec, chain_now: int) -> int:
    r = spec.raise_
    if r.deadline is not None:
        deadline = int(r.deadline.astimezone(UTC).timestamp())
    else:
        deadline = chain_now + int(r.deadline_in_days * DAY)  # type: ignore[operator]
    when = datetime.fromtimestamp(chain_now, UTC).isoformat()
    if deadline > chain_now + MAX_DAYS * DAY:
        raise SpecError(f"raise.deadline is more than {MAX_DAYS} days after chain time ({when})")
    if deadline <= chain_now:
        raise SpecError(
            f"raise.deadline {datetime.fromtimestamp(deadline, UTC).isoformat()} "
            f"is not in the future (chain time is {when})"
        )
    if deadline < chain_now + MIN_RAISE_SECONDS:
        # The latest block's time lags the block the transaction lands in: a deadline this
        # close could pass the simulation and then revert on-chain, costing gas.
        raise SpecError(
            f"raise.deadline {datetime.fromtimestamp(deadline, UTC).isoformat()} is less than "
            f"{MIN_RAISE_SECONDS // 3600} hour after chain time ({when}): investors need time"
        )
    return deadline


def contract_args(
    spec: ProjectSpec, spec_bytes: bytes, spec_path: Path, decimals: int, asset: str, chain_now: int
) -> tuple[tuple[Any, ...], tuple[Any, ...], tuple[Any, ...], list[tuple[Any, ...]]]:
    """The (info, roles, terms, milestones) tuples for ProjectFactory.createProject."""
    from scripts.common import ScriptError, to_units

    deadline = deadline_timestamp(spec, chain_now)
    info = (
        spec.name,
        spec.symbol,
        KINDS.index(spec.kind),
        spec.goals_mask,
        spec.location,
        spec.metadata_uri or f"file:{spec_path.as_posix()}",
        "0x" + keccak(spec_bytes).hex(),
        spec.capacity_kw,
        spec.metrics_mask,
    )
    roles = ("0x" + "00" * 20, spec.roles.implementor, spec.roles.operator, spec.roles.verifier)
    r = spec.raise_
    amounts = {}
    for name in ("price", "goal", "cap"):
        try:
            amounts[name] = to_units(getattr(r, name), decimals, f"raise.{name}")
        except ScriptError as exc:
            raise SpecError(str(exc)) from None
        if amounts[name] >= MAX_UNITS:
            raise SpecError(
                f"raise.{name} {_plain(getattr(r, name))} is too large (at most 2^128 - 1 units)"
            )
    terms = (asset, amounts["price"], amounts["goal"], amounts["cap"], deadline)
    milestones = [(m.name, m.tranche_bps, deadline + due_seconds(m)) for m in spec.milestones]
    return info, roles, terms, milestones
