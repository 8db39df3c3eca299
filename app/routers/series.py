"""A user's own series from a CSV file: the first column, in the user's units."""

from __future__ import annotations

import csv
import io
import math
from typing import Annotated

from fastapi import APIRouter, File, UploadFile
from fastapi.exceptions import RequestValidationError

from app import schemas
from app.deps import Authorized
from app.routers.runs import WRITE_ERRORS

router = APIRouter(prefix="/api/series", tags=["series"])


def _unprocessable(msg: str) -> RequestValidationError:
    return RequestValidationError([{"loc": ["body", "file"], "msg": msg, "type": "value_error"}])


def parse_csv_column(text: str) -> list[float]:
    """The first column as floats; a header line is allowed, any other text is an error."""
    values: list[float] = []
    rows = csv.reader(io.StringIO(text, newline=""))
    try:
        for line_no, row in enumerate(rows, start=1):
            _take(row, line_no, values)
    except csv.Error as exc:  # NUL bytes, a stray quote ...
        raise _unprocessable(f"line {rows.line_num}: not readable as CSV ({exc})") from None
    if len(values) < 3:
        raise _unprocessable(
            f"the first column holds {len(values)} numbers; a series needs at least 3"
        )
    return values


def _take(row: list[str], line_no: int, values: list[float]) -> None:
    if not row or not row[0].strip():
        return
    cell = row[0].strip()
    try:
        value = float(cell)
    except ValueError:
        if not values and line_no == 1:  # a header
            return
        raise _unprocessable(f"line {line_no}: {cell[:40]!r} is not a number") from None
    if not math.isfinite(value):
        raise _unprocessable(f"line {line_no}: {cell[:40]!r} is not a finite number")
    values.append(value)
    if len(values) > schemas.MAX_SERIES:
        raise _unprocessable(f"more than {schemas.MAX_SERIES} values")


@router.post(
    "/csv",
    dependencies=Authorized,
    response_model=schemas.SeriesOut,
    responses=WRITE_ERRORS,
)
async def series_from_csv(
    file: Annotated[UploadFile, File(description="a CSV file; its first column is the series")],
) -> dict:
    """Read a series from an uploaded CSV (first column, an optional header line), to pass as
    `data.series` to `POST /api/runs`. Text that is not a number gets 422 naming its line."""
    raw = await file.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _unprocessable("the file is not UTF-8 text; upload a CSV file") from None
    return {"series": parse_csv_column(text)}
