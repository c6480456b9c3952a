"""SQL over a batch's output: DuckDB with every Parquet table registered as a view by its name."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pyarrow as pa

from ficlens.corpus.store import LEDGER_DIR
from ficlens.errors import FiclensError, InputError
from ficlens.writers.tables import SCHEMAS, TABLES


class QueryError(FiclensError):
    """The SQL could not be run (syntax, unknown column, ...)."""


def connect(outdir: str | os.PathLike[str]) -> Any:
    """A DuckDB connection with a view per table of OUTDIR (`stories`, `quotes`, ...).

    A table with no part files yet is an empty view with the documented columns.
    """
    import duckdb

    out = Path(outdir)
    if not out.is_dir():
        raise InputError("no such directory (give the OUTDIR of `ficlens batch`)", str(out))
    if not any((out / name).is_dir() for name in TABLES) and not (out / LEDGER_DIR).is_dir():
        raise InputError("is not the output of `ficlens batch` (no tables in it)", str(out))
    con = duckdb.connect()
    for name in TABLES:
        parts = sorted((out / name).glob("part-*.parquet")) if (out / name).is_dir() else []
        if parts:
            pattern = (out / name / "part-*.parquet").as_posix().replace("'", "''")
            con.execute(f"CREATE VIEW {name} AS SELECT * FROM "
                        f"read_parquet('{pattern}', union_by_name = true)")
        else:
            columns = ", ".join(f'CAST(NULL AS {_sql_type(f.type)}) AS "{f.name}"'
                                for f in SCHEMAS[name])
            con.execute(f"CREATE VIEW {name} AS SELECT {columns} WHERE false")
    return con


def _sql_type(arrow_type: pa.DataType) -> str:
    """The DuckDB type of a column of the tables (registering an Arrow table would pull in
    pandas, a second's import on a small machine)."""
    if pa.types.is_list(arrow_type):
        return f"{_sql_type(arrow_type.value_type)}[]"
    if pa.types.is_string(arrow_type):
        return "VARCHAR"
    if pa.types.is_int64(arrow_type):
        return "BIGINT"
    if pa.types.is_float64(arrow_type):
        return "DOUBLE"
    if pa.types.is_boolean(arrow_type):
        return "BOOLEAN"
    raise TypeError(f"no SQL type for {arrow_type}")


def run_query(outdir: str | os.PathLike[str], sql: str) -> pa.Table:
    """The result of one SQL statement over OUTDIR's tables, as an Arrow table."""
    import duckdb

    con = connect(outdir)
    try:
        relation = con.sql(sql)
        if relation is None:  # a statement without a result (e.g. SET)
            return pa.table({})
        fetch = getattr(relation, "to_arrow_table", None) or relation.fetch_arrow_table
        return fetch()
    except duckdb.Error as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise QueryError(f"SQL: {message}") from exc
    finally:
        con.close()


def query_frame(outdir: str | os.PathLike[str], sql: str) -> Any:
    """The result of one SQL statement over OUTDIR's tables, as a pandas DataFrame."""
    return run_query(outdir, sql).to_pandas()
