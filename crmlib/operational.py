"""Operational CRM: a normalised customer database whose rules the database itself enforces.

An operational CRM system runs the day-to-day work with customers: sales (opportunities),
service (cases), marketing contacts (activities) and the customer master with its contact
points. Its database is built for many small, safe writes: every fact is stored once
(normalised tables joined by keys), and the rules live in the schema (``PRIMARY KEY``,
``FOREIGN KEY``, ``NOT NULL``, ``CHECK``), so a wrong record is refused however it arrives.
Writes that belong together run in one transaction: all of them or none.

:data:`SCHEMA` is the chapter's schema for SQLite; :func:`create_schema` creates it,
:func:`insert_rows` writes a frame into one table in one transaction and
:func:`contact_history` lists one customer's contacts across channels.
"""

from __future__ import annotations

import re
import sqlite3

import pandas as pd

from crmlib.validation import require_frame, require_sqlite

__all__ = ["SCHEMA", "TABLES", "create_schema", "insert_rows", "table_counts", "contact_history"]

_CHANNELS = "('branch', 'call centre', 'web', 'e-mail')"

#: The operational CRM schema (SQLite): customer master, contact points, products, activities,
#: opportunities, service cases and transactions.
SCHEMA = f"""
CREATE TABLE customers (
    customer_id       TEXT PRIMARY KEY,
    name              TEXT NOT NULL CHECK (length(trim(name)) > 0),
    birth_date        TEXT CHECK (birth_date IS NULL OR date(birth_date) IS birth_date),
    region            TEXT NOT NULL,
    preferred_channel TEXT NOT NULL CHECK (preferred_channel IN {_CHANNELS}),
    joined            TEXT NOT NULL CHECK (date(joined) IS joined)
);
CREATE TABLE contacts (
    contact_id  INTEGER PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (customer_id),
    kind        TEXT NOT NULL CHECK (kind IN ('phone', 'email')),
    value       TEXT NOT NULL,
    is_primary  INTEGER NOT NULL DEFAULT 0 CHECK (is_primary IN (0, 1)),
    UNIQUE (customer_id, kind, value)
);
CREATE TABLE products (
    product_id TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    line       TEXT NOT NULL
               CHECK (line IN ('deposits', 'loans', 'cards', 'investments', 'insurance'))
);
CREATE TABLE activities (
    activity_id INTEGER PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (customer_id),
    channel     TEXT NOT NULL CHECK (channel IN {_CHANNELS}),
    direction   TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    purpose     TEXT NOT NULL CHECK (purpose IN ('enquiry', 'service', 'sale', 'campaign')),
    occurred_at TEXT NOT NULL CHECK (datetime(occurred_at) IS occurred_at),
    agent       TEXT
);
CREATE TABLE opportunities (
    opportunity_id INTEGER PRIMARY KEY,
    customer_id    TEXT NOT NULL REFERENCES customers (customer_id),
    product_id     TEXT NOT NULL REFERENCES products (product_id),
    stage          TEXT NOT NULL CHECK (stage IN ('open', 'proposal', 'won', 'lost')),
    amount         REAL NOT NULL CHECK (amount > 0),
    opened         TEXT NOT NULL CHECK (date(opened) IS opened),
    closed         TEXT CHECK (closed IS NULL OR closed >= opened),
    CHECK ((stage IN ('won', 'lost')) = (closed IS NOT NULL))
);
CREATE TABLE service_cases (
    case_id     INTEGER PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (customer_id),
    channel     TEXT NOT NULL CHECK (channel IN {_CHANNELS}),
    category    TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('open', 'resolved')),
    opened      TEXT NOT NULL CHECK (date(opened) IS opened),
    resolved    TEXT CHECK (resolved IS NULL OR resolved >= opened),
    CHECK ((status = 'resolved') = (resolved IS NOT NULL))
);
CREATE TABLE transactions (
    transaction_id INTEGER PRIMARY KEY,
    customer_id    TEXT NOT NULL REFERENCES customers (customer_id),
    product_id     TEXT NOT NULL REFERENCES products (product_id),
    channel        TEXT NOT NULL CHECK (channel IN {_CHANNELS}),
    date           TEXT NOT NULL CHECK (date(date) IS date),
    amount         REAL NOT NULL CHECK (amount > 0)
);
CREATE INDEX activities_customer ON activities (customer_id, occurred_at);
CREATE INDEX opportunities_customer ON opportunities (customer_id);
CREATE INDEX cases_customer ON service_cases (customer_id);
CREATE INDEX transactions_customer ON transactions (customer_id, date);
"""

#: The tables of :data:`SCHEMA` in an order that respects the foreign keys.
TABLES: tuple[str, ...] = (
    "customers", "contacts", "products", "activities", "opportunities", "service_cases",
    "transactions",
)  # fmt: skip

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def create_schema(con: sqlite3.Connection, schema: str = SCHEMA) -> list[str]:
    """Create the operational CRM's tables and switch on foreign-key checks.

    SQLite checks ``REFERENCES`` only when ``PRAGMA foreign_keys = ON`` is set on the
    connection, so this function sets it.

    Returns
    -------
    list of str
        The tables in the database, sorted.

    Examples
    --------
    >>> con = sqlite3.connect(":memory:")
    >>> create_schema(con)
    ['activities', 'contacts', 'customers', 'opportunities', 'products', 'service_cases', \
'transactions']
    """
    con = require_sqlite(con)
    if not isinstance(schema, str) or "CREATE" not in schema.upper():
        raise TypeError(f"schema: expected SQL text with CREATE TABLE statements, got {schema!r}")
    con.execute("PRAGMA foreign_keys = ON")
    con.executescript(schema)
    rows = con.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
    ).fetchall()
    return [r[0] for r in rows]


def _records(rows: pd.DataFrame) -> list[tuple]:
    """Row tuples SQLite stores: None for missing, ISO text for dates, 0/1 for booleans."""
    columns = []
    for col in rows.columns:
        values = rows[col]
        if pd.api.types.is_datetime64_any_dtype(values):
            has_time = bool((values.dropna() != values.dropna().dt.normalize()).any())
            values = values.dt.strftime("%Y-%m-%d %H:%M:%S" if has_time else "%Y-%m-%d")
        elif pd.api.types.is_bool_dtype(values):
            values = values.astype("Int64")
        values = values.astype(object)
        columns.append(values.where(values.notna(), None).tolist())
    return list(zip(*columns, strict=True)) if columns else []


def insert_rows(con: sqlite3.Connection, table: str, rows: pd.DataFrame) -> int:
    """Insert the rows of a frame into one table, in one transaction: all of them or none.

    Dates become ISO text (``YYYY-MM-DD``, with the time when there is one), booleans 0/1,
    missing values NULL. If the database refuses any row (a broken key, a NULL where NOT
    NULL is required, a failed CHECK), the whole insert is rolled back and the
    ``sqlite3.IntegrityError`` is raised with the database's message.

    Parameters
    ----------
    con : sqlite3.Connection
    table : str
        A table of the database.
    rows : DataFrame
        Columns named as the table's columns (a subset is fine: the rest get their defaults).

    Returns
    -------
    int
        Rows inserted.

    Examples
    --------
    >>> con = sqlite3.connect(":memory:")
    >>> _ = create_schema(con)
    >>> insert_rows(con, "products", pd.DataFrame({"product_id": ["P01"],
    ...                                            "name": ["everyday account"],
    ...                                            "line": ["deposits"]}))
    1
    >>> try:
    ...     insert_rows(con, "products", pd.DataFrame({"product_id": ["P02"], "name": ["x"],
    ...                                                "line": ["crypto"]}))
    ... except sqlite3.IntegrityError as err:
    ...     print(err)
    CHECK constraint failed: line IN ('deposits', 'loans', 'cards', 'investments', 'insurance')
    """
    con = require_sqlite(con)
    if not isinstance(table, str) or not _IDENTIFIER.match(table):
        raise ValueError(f"table: expected a table name (letters, digits, _), got {table!r}")
    columns = [r[1] for r in con.execute(f"PRAGMA table_info({table})").fetchall()]
    if not columns:
        raise ValueError(f"table: no table {table!r} in the database")
    require_frame(rows, "rows", allow_empty=True)
    if rows.shape[1] == 0:
        raise ValueError(f"rows: expected columns of table {table!r} ({columns}), got none")
    unknown = [c for c in rows.columns if c not in columns]
    if unknown:
        raise ValueError(
            f"rows: columns {unknown} are not in table {table!r} (its columns: {columns})"
        )
    names = list(rows.columns)
    sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})"
    values = _records(rows)
    with con:  # commits on success, rolls back on any error
        con.executemany(sql, values)
    return len(values)


def table_counts(con: sqlite3.Connection, tables: tuple[str, ...] = TABLES) -> pd.DataFrame:
    """Rows per table, in the order given.

    Examples
    --------
    >>> con = sqlite3.connect(":memory:")
    >>> _ = create_schema(con)
    >>> table_counts(con, ("customers", "products"))
           table  rows
    0  customers     0
    1   products     0
    """
    con = require_sqlite(con)
    rows = []
    for table in tables:
        if not isinstance(table, str) or not _IDENTIFIER.match(table):
            raise ValueError(f"tables: expected table names, got {table!r}")
        rows.append((table, con.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]))
    return pd.DataFrame(rows, columns=["table", "rows"])


#: One customer's contacts from every table that records one, as one time line.
HISTORY_SQL = """
SELECT occurred_at AS time, channel, 'activity' AS kind,
       purpose || ' (' || direction || ')' AS what
FROM activities WHERE customer_id = :customer
UNION ALL
SELECT opened, channel, 'service case', category || ': ' || status
FROM service_cases WHERE customer_id = :customer
UNION ALL
SELECT o.opened, NULL, 'opportunity', p.name || ': ' || o.stage
FROM opportunities AS o JOIN products AS p USING (product_id)
WHERE o.customer_id = :customer
UNION ALL
SELECT t.date, t.channel, 'transaction', p.name
FROM transactions AS t JOIN products AS p USING (product_id)
WHERE t.customer_id = :customer
ORDER BY time, kind, what
"""


def contact_history(con: sqlite3.Connection, customer_id: str) -> pd.DataFrame:
    """One customer's activities, service cases, opportunities and transactions in time order.

    This is the screen an agent opens when the customer calls: everything the bank did
    with this customer, whatever the channel (:data:`HISTORY_SQL`).

    Returns
    -------
    pandas.DataFrame
        ``time`` (text, dates sort before times of the same day), ``channel`` (missing for
        opportunities), ``kind``, ``what``.

    Examples
    --------
    >>> con = sqlite3.connect(":memory:")
    >>> _ = create_schema(con)
    >>> contact_history(con, "P000001").columns.tolist()
    ['time', 'channel', 'kind', 'what']
    """
    con = require_sqlite(con)
    if not isinstance(customer_id, str):
        raise TypeError(f"customer_id: expected text, got {customer_id!r}")
    return pd.read_sql_query(HISTORY_SQL, con, params={"customer": customer_id})
