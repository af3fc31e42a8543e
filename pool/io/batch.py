"""Checking applicants in bulk: reading a JSON or Excel file, evaluating every entry.

Shared by ``flask pool check``, the web 资格自检 page and the API, so all three
give the same verdicts and report input problems the same way.  Plain Python:
the caller passes the rulebook and the assessment date.
"""
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from pool.eligibility.contract import path_label
from pool.io import workbook
from pool.eligibility.applicant import InvalidApplicant
from pool.eligibility.criteria import Evaluation, check
from pool.eligibility import rulebook as rulebook_module
from pool.eligibility.rulebook import Rulebook

MAX_JSON_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class InputProblem:
    """One thing wrong with the input: ``path`` names the field (with array index);
    ``named``, its label where the caller knows it (a record part's field, whose
    name may mean another field of the applicant)."""

    path: str
    message: str
    named: str | None = None

    @property
    def label(self) -> str:
        """The field as the officer reads it: ``named``, else read from the path
        (:func:`pool.eligibility.contract.path_label`)."""
        return self.named or path_label(self.path)

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class InvalidInput(ValueError):
    """The input cannot be evaluated; ``problems`` lists every problem found."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(map(str, self.problems)))


def parse_json(text: str | bytes) -> object:
    """JSON with every number as an exact ``Decimal`` or ``int``.

    Bounded, so hostile input is a clear refusal and not a crash: at most
    :data:`MAX_JSON_BYTES`, :data:`MAX_JSON_DEPTH` levels of nesting (``[`` ×
    100,000 would exhaust the interpreter's stack) and :data:`MAX_NUMBER_CHARS`
    characters per number (Python refuses to convert integers of more than
    4,300 digits).

    :raise InvalidInput: on malformed, oversized or overly deep JSON, naming
        line and column where the parser can.
    """
    if len(text) > MAX_JSON_BYTES:
        raise InvalidInput([InputProblem("(root)", f"文件超过 {MAX_JSON_BYTES // 1024 // 1024} MB 上限")])
    try:
        data = json.loads(text, parse_float=_number(Decimal), parse_int=_number(int))
    except json.JSONDecodeError as exc:
        raise InvalidInput([InputProblem("(root)", f"JSON 格式错误：第 {exc.lineno} 行第 {exc.colno} 列，{exc.msg}")]) from None
    except UnicodeDecodeError:
        raise InvalidInput([InputProblem("(root)", "文件不是 UTF-8 编码的 JSON")]) from None
    except _NumberTooLong:
        raise InvalidInput([InputProblem("(root)", f"数字位数超过 {MAX_NUMBER_CHARS} 位上限")]) from None
    except RecursionError:
        raise InvalidInput([_too_deep()]) from None
    if not _within_depth(data, MAX_JSON_DEPTH):
        raise InvalidInput([_too_deep()])
    return data


MAX_JSON_DEPTH = 32  # an applicant needs 4 (array, applicant, patents, patent)
MAX_NUMBER_CHARS = 100  # an amount needs 20


class _NumberTooLong(ValueError):
    pass


def _number(convert):
    def parse(token: str):
        if len(token) > MAX_NUMBER_CHARS:
            raise _NumberTooLong(token[:20])
        return convert(token)
    return parse


def _too_deep() -> InputProblem:
    return InputProblem("(root)", f"JSON 嵌套层数超过 {MAX_JSON_DEPTH} 层上限")


def _within_depth(value, limit: int) -> bool:
    """Whether ``value`` nests at most ``limit`` arrays/objects deep (no recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if type(item) is dict else item if type(item) is list else ()
        for child in children:
            if type(child) is dict or type(child) is list:
                if depth + 1 > limit:
                    return False
                stack.append((child, depth + 1))
    return True


def read(content: bytes, filename: str) -> tuple[list, bool]:
    """The applicants in an uploaded or named file, and whether it held a list.

    ``.xlsx`` files are read in the project's template layout and always count
    as a list; anything else is parsed as JSON (one object or an array).

    :raise InvalidInput: with every problem the reader found.
    """
    if Path(filename).suffix.lower() == ".xlsx":
        try:
            return workbook.read_applicants(content), True
        except workbook.WorkbookError as exc:
            raise InvalidInput([InputProblem(_workbook_path(p), p.message) for p in exc.problems]) from None
    data = parse_json(content)
    if isinstance(data, list):
        return data, True
    return [data], False


def _workbook_path(problem) -> str:
    parts = [p for p in (problem.sheet, f"第{problem.row}行" if problem.row else None, problem.column) if p]
    return " ".join(parts) or "(文件)"


def evaluate_all(items: list, as_of: date, rulebook: Rulebook, *, indexed: bool,
                 check_one=None) -> list[Evaluation]:
    """Evaluate every applicant, or report every problem of every invalid one.

    With ``indexed`` the problem paths carry the entry's index (``[2].uscc``).
    ``check_one(item)`` evaluates one entry another way (a pool's criteria:
    :func:`pool.pools.evaluate.check`); the default is the ten criteria.

    :raise InvalidInput: if any entry is invalid; nothing is evaluated then.
    """
    try:
        rulebook_module.complete_snapshot(rulebook.policy, as_of)
    except rulebook_module.NoPolicyInForce as exc:
        raise InvalidInput([InputProblem("as_of", str(exc))]) from None
    results, problems = [], []
    for i, item in enumerate(items):
        try:
            results.append(check_one(item) if check_one else check(item, as_of, rulebook.policy,
                                                                   rulebook.industries))
        except InvalidApplicant as exc:
            prefix = f"[{i}]" if indexed else ""
            problems += [InputProblem(_join(prefix, p.path), p.message) for p in exc.problems]
    if problems:
        raise InvalidInput(problems)
    return results


def _join(prefix: str, path: str) -> str:
    if not prefix:
        return path
    if path in ("", "(root)"):
        return prefix
    return prefix + ("" if path.startswith("[") else ".") + path


def output(results: list[Evaluation], many: bool):
    """What ``flask pool check`` prints: one object, or a list in input order."""
    if many:
        return [r.to_dict() for r in results]
    return results[0].to_dict()

