"""Loaders for real public CRM datasets, kept in a local data home and fetched once.

Each ``fetch_*`` function reads one published dataset from the *data home* and returns tidy
data: snake_case columns, dates as ``datetime64``, yes/no flags as ``bool``.

Where the files live
    The data home is the folder named by the environment variable ``CRMLIB_DATA``, or else
    the per-user cache folder ``platformdirs.user_cache_dir("crmlib")`` (see
    :func:`data_home`). Every ``fetch_*`` also takes ``data_home=`` to use another folder.
    The files there carry the publisher's names and bytes (for example ``CDNOW_master.txt``
    or ``bank-additional-full.csv``); the one exception is ``online_retail.csv.gz``, a CSV
    made from UCI's ``Online Retail.xlsx`` (see :func:`fetch_online_retail`).

Downloading
    When a file is missing, it is downloaded from its publisher into the data home (if that
    folder is writable; otherwise a :class:`DatasetNotFoundError` says where to put it).
    The download goes to a hidden temporary file in the same folder, is unpacked or
    converted when the publisher serves another form (UCI and brucehardie.com serve zips),
    is verified, and only then renamed to its final name. A download that fails verification
    is deleted. If the publisher's own download (say ``CDNOW_master.zip``) has been saved into
    the data home by hand, it is used instead of the network and left in place. Setting
    ``CRMLIB_DATA_URL`` to a base URL fetches every file by its download name from that
    mirror instead of the publisher.

Verification
    A file is verified every time it is read: its sha256 (of the publisher's bytes, or of
    our reproducible conversion; :data:`REMOTE_DATASETS` lists them), and that it parses with the expected
    columns, value types and number of rows. A file that fails is never used: a download is
    deleted, and a file that was already in the data home raises
    :class:`DatasetCorruptError` and is left untouched (crmlib never deletes or edits a
    file it did not just download).

The registry :data:`REMOTE_DATASETS` holds, for each dataset, its file name, URL, checksum,
size and how to unpack it; replace an entry (``dataclasses.replace``) to change a URL.
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import io
import os
import re
import tempfile
import urllib.parse
import urllib.request
import warnings
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import pandas as pd
import platformdirs

from crmlib.validation import require_bool

__all__ = [
    "DatasetError",
    "DatasetNotFoundError",
    "DatasetCorruptError",
    "RemoteDataset",
    "REMOTE_DATASETS",
    "BANK_MARKETING_VARIANTS",
    "data_home",
    "verify",
    "fetch_online_retail",
    "fetch_cdnow",
    "fetch_groceries",
    "fetch_bank_marketing",
    "fetch_telco_churn",
    "fetch_online_shoppers",
]


class DatasetError(OSError):
    """Base class of the errors raised when a dataset file is missing or not as published."""


class DatasetNotFoundError(DatasetError):
    """The dataset is not in the data home and could not be downloaded."""


class DatasetCorruptError(DatasetError):
    """A file (in the data home or just downloaded) is not the published dataset."""


class _Mismatch(Exception):
    """Internal: why a file failed verification; callers turn it into a DatasetCorruptError."""


@dataclass(frozen=True)
class RemoteDataset:
    """Where a published dataset comes from and how to check it.

    Attributes
    ----------
    file : str
        Name of the file in the data home (the publisher's name for it).
    url : str
        Publisher's download URL. Its last path segment is the *download name*.
    rows : int
        Expected number of records (data rows without header; baskets for Groceries).
    columns : tuple of str
        Expected header, in order, as published (for headerless files: the names given to
        the fields; empty for the basket-format Groceries file).
    read : callable
        ``read(path, dataset)`` parses the file strictly and returns the tidy data; any
        error it raises marks the file as corrupt.
    sha256 : str, tuple of str, or None
        Checksum of ``file``, or the checksums of each published form of it (e.g. the same
        text with CRLF or LF line endings); None only where no published bytes are known
        (then only the parse, columns and row count are checked).
    members : tuple of str
        Names of the zip entries to descend into, outermost first (matched on the entry's
        base name, so folders inside the zip do not matter); empty if served as is.
    convert : callable or None
        Turns the unpacked bytes into the stored form (only Online Retail needs this).
    """

    file: str
    url: str
    rows: int
    columns: tuple[str, ...]
    read: Callable[[Path, RemoteDataset], Any] = field(repr=False)
    sha256: str | tuple[str, ...] | None = None
    members: tuple[str, ...] = ()
    convert: Callable[[bytes], bytes] | None = field(default=None, repr=False)

    @property
    def download_name(self) -> str:
        """The last segment of ``url``: the name of the publisher's download."""
        return urllib.parse.unquote(PurePosixPath(urllib.parse.urlsplit(self.url).path).name)


# --------------------------------------------------------------------------------------------
# Reading and tidying, one reader per file format. Each is strict: a wrong header, a value of
# the wrong type or an unexpected category raises, so corrupt files are caught.

_NO_NA = {"keep_default_na": False, "na_values": [""]}  # only empty fields are missing


def _snake(name: str) -> str:
    """``"customerID"`` -> ``"customer_id"``, ``"emp.var.rate"`` -> ``"emp_var_rate"``."""
    name = re.sub(r"[.\s-]+", "_", name)
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    name = re.sub(r"(?<=[A-Z])(?=[A-Z][a-z])", "_", name)
    return name.lower()


def _read_csv(path: Path, dataset: RemoteDataset, dtypes: dict[str, str], **kwargs) -> pd.DataFrame:
    header = list(pd.read_csv(path, nrows=0, **kwargs).columns)
    if header != list(dataset.columns):
        raise _Mismatch(f"its header is {header}, expected {list(dataset.columns)}")
    return pd.read_csv(path, dtype=dtypes, **_NO_NA, **kwargs)


def _flag(values: pd.Series, column: str, true: object, false: object) -> pd.Series:
    """Map a two-valued column to bool, refusing any third value."""
    bad = values[~values.isin([true, false])]
    if len(bad):
        raise ValueError(
            f"column {column!r}: expected only {true!r} or {false!r}, "
            f"found {list(bad.unique()[:3])}"
        )
    return pd.Series(np.asarray(values == true, dtype=bool), index=values.index, name=column)


_RETAIL_DTYPES = {
    "InvoiceNo": "str",
    "StockCode": "str",
    "Description": "str",
    "Quantity": "int64",
    "InvoiceDate": "str",
    "UnitPrice": "float64",
    "CustomerID": "Int64",
    "Country": "str",
}
_RETAIL_DATE_FORMAT = "%Y-%m-%d %H:%M:%S"


def _read_online_retail_raw(path: Path, dataset: RemoteDataset) -> pd.DataFrame:
    """The CSV as published, typed, with its original column names."""
    raw = _read_csv(path, dataset, _RETAIL_DTYPES, compression="gzip", encoding="utf-8")
    return raw.assign(InvoiceDate=pd.to_datetime(raw["InvoiceDate"], format=_RETAIL_DATE_FORMAT))


def _read_online_retail(path: Path, dataset: RemoteDataset) -> pd.DataFrame:
    tidy = _read_online_retail_raw(path, dataset).rename(columns=_snake)
    return tidy.assign(amount=tidy["quantity"] * tidy["unit_price"])


def _online_retail_csv(raw: pd.DataFrame) -> bytes:
    """The documented text: UTF-8 CSV, LF line endings, dates as ``YYYY-MM-DD HH:MM:SS``."""
    text = raw.to_csv(index=False, lineterminator="\n", date_format=_RETAIL_DATE_FORMAT)
    return text.encode("utf-8")


def _gzip(data: bytes) -> bytes:
    """Compress reproducibly: level 9, mtime 0, no file name (as the published file)."""
    buffer = io.BytesIO()
    # GzipFile, unlike gzip.compress, writes the header byte "OS unknown" the file has.
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=9, mtime=0) as gz:
        gz.write(data)
    return buffer.getvalue()


def _online_retail_from_xlsx(xlsx: bytes) -> bytes:
    """Convert UCI's ``Online Retail.xlsx`` to the documented ``online_retail.csv.gz``."""
    text_columns = {c: "str" for c in ("InvoiceNo", "StockCode", "Description", "Country")}
    raw = pd.read_excel(io.BytesIO(xlsx), engine="openpyxl", dtype=text_columns)
    if list(raw.columns) != list(_RETAIL_DTYPES):
        raise _Mismatch(f"its header is {list(raw.columns)}, expected {list(_RETAIL_DTYPES)}")
    tidy = raw.assign(
        # The documented form has trimmed descriptions (R's readxl trims by default).
        Description=raw["Description"].str.strip().replace("", pd.NA),
        Quantity=raw["Quantity"].astype("int64"),
        # Excel stores times as fractions of a day; rounding removes float noise.
        InvoiceDate=pd.to_datetime(raw["InvoiceDate"]).dt.round("s"),
        UnitPrice=raw["UnitPrice"].astype("float64"),
        CustomerID=raw["CustomerID"].astype("Int64"),
    )
    return _gzip(_online_retail_csv(tidy))


def _read_cdnow(path: Path, dataset: RemoteDataset) -> pd.DataFrame:
    raw = pd.read_csv(path, sep=r"\s+", header=None, dtype="str", encoding="ascii")
    if raw.shape[1] != len(dataset.columns):
        raise _Mismatch(f"it has {raw.shape[1]} fields per line, expected {len(dataset.columns)}")
    raw.columns = list(dataset.columns)
    return raw.assign(
        **{c: raw[c].astype("int64") for c in ("customer_id", "sample_id", "cds") if c in raw},
        date=pd.to_datetime(raw["date"], format="%Y%m%d"),
        dollar_value=raw["dollar_value"].astype("float64"),
    )


def _read_groceries(path: Path, dataset: RemoteDataset) -> list[list[str]]:
    lines = path.read_text(encoding="ascii").splitlines()
    # The published file writes two item names with a trailing space ("cream cheese ",
    # "roll products "); stripped, no two names coincide, and printed rules read cleanly.
    baskets = [[item.strip() for item in line.split(",")] for line in lines]
    for number, basket in enumerate(baskets, start=1):
        if "" in basket:
            raise _Mismatch(f"line {number} has an empty item: {lines[number - 1]!r}")
    return baskets


_BANK_INT = ("age", "balance", "day", "duration", "campaign", "pdays", "previous")
_BANK_FLOAT = ("emp.var.rate", "cons.price.idx", "cons.conf.idx", "euribor3m", "nr.employed")


def _read_bank(path: Path, dataset: RemoteDataset) -> pd.DataFrame:
    dtypes = {
        c: "int64" if c in _BANK_INT else "float64" if c in _BANK_FLOAT else "str"
        for c in dataset.columns
    }
    raw = _read_csv(path, dataset, dtypes, sep=";", encoding="ascii")
    return raw.assign(y=_flag(raw["y"], "y", "yes", "no")).rename(columns=_snake)


_TELCO_FLAGS = ("Partner", "Dependents", "PhoneService", "PaperlessBilling", "Churn")
_TELCO_DTYPES = {"SeniorCitizen": "int64", "tenure": "int64", "MonthlyCharges": "float64"}


def _read_telco(path: Path, dataset: RemoteDataset) -> pd.DataFrame:
    dtypes = {c: _TELCO_DTYPES.get(c, "str") for c in dataset.columns}
    raw = _read_csv(path, dataset, dtypes, encoding="ascii")
    total = raw["TotalCharges"].str.strip()
    return raw.assign(
        SeniorCitizen=_flag(raw["SeniorCitizen"], "SeniorCitizen", 1, 0),
        **{c: _flag(raw[c], c, "Yes", "No") for c in _TELCO_FLAGS},
        # 11 customers with tenure 0 have a blank; anything else non-numeric is an error.
        TotalCharges=pd.to_numeric(total.where(total != ""), errors="raise").astype("float64"),
    ).rename(columns=_snake)


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_SHOPPERS_INT = ("Administrative", "Informational", "ProductRelated")
_SHOPPERS_INT += ("OperatingSystems", "Browser", "Region", "TrafficType")


def _read_online_shoppers(path: Path, dataset: RemoteDataset) -> pd.DataFrame:
    text = ("Month", "VisitorType", "Weekend", "Revenue")
    dtypes = {
        c: "int64" if c in _SHOPPERS_INT else "str" if c in text else "float64"
        for c in dataset.columns
    }
    raw = _read_csv(path, dataset, dtypes, encoding="ascii")
    bad = raw["Month"][~raw["Month"].isin([*_MONTHS, "June"])]
    if len(bad):
        raise ValueError(f"column 'Month': unexpected values {list(bad.unique()[:3])}")
    return raw.assign(
        # UCI writes "June" but "Feb", "Mar", ...: keep three letters throughout.
        Month=pd.Categorical(raw["Month"].str.slice(0, 3), categories=_MONTHS, ordered=True),
        Weekend=_flag(raw["Weekend"], "Weekend", "TRUE", "FALSE"),
        Revenue=_flag(raw["Revenue"], "Revenue", "TRUE", "FALSE"),
    ).rename(columns=_snake)


# --------------------------------------------------------------------------------------------
# The registry: one entry per file.

_UCI = "https://archive.ics.uci.edu/static/public"
_HARDIE = "http://www.brucehardie.com/datasets"
_BANK_ADDITIONAL = (
    "age job marital education default housing loan contact month day_of_week duration "
    "campaign pdays previous poutcome emp.var.rate cons.price.idx cons.conf.idx euribor3m "
    "nr.employed y"
).split()
_BANK_OLD = (
    "age job marital education default balance housing loan contact day month duration "
    "campaign pdays previous poutcome y"
).split()


def _bank(file: str, rows: int, sha256: str) -> RemoteDataset:
    inner = "bank-additional.zip" if file.startswith("bank-additional") else "bank.zip"
    columns = _BANK_ADDITIONAL if inner == "bank-additional.zip" else _BANK_OLD
    return RemoteDataset(
        file=file,
        url=f"{_UCI}/222/bank+marketing.zip",
        rows=rows,
        columns=tuple(columns),
        read=_read_bank,
        sha256=sha256,
        members=(inner, file),
    )


REMOTE_DATASETS: dict[str, RemoteDataset] = {
    "online_retail": RemoteDataset(
        file="online_retail.csv.gz",
        url=f"{_UCI}/352/online+retail.zip",
        rows=541_909,
        columns=tuple(_RETAIL_DTYPES),
        read=_read_online_retail,
        # Our conversion of UCI's xlsx (reproducible: fixed text form, gzip with mtime 0).
        sha256="60f57843e10f10bc7dfead6a31ee0b88652074ef3b079c7d81aeda30fd67127a",
        members=("Online Retail.xlsx",),
        convert=_online_retail_from_xlsx,
    ),
    "cdnow_master": RemoteDataset(
        file="CDNOW_master.txt",
        url=f"{_HARDIE}/CDNOW_master.zip",
        rows=69_659,
        columns=("customer_id", "date", "cds", "dollar_value"),
        read=_read_cdnow,
        sha256="61fd6f7bf3497187a7ec0d9ff6a99b7568f1fe911a9f3665e02efecd6b34ed07",
        members=("CDNOW_master.txt",),
    ),
    "cdnow_sample": RemoteDataset(
        file="CDNOW_sample.txt",
        url=f"{_HARDIE}/CDNOW_sample.zip",
        rows=6_919,
        columns=("customer_id", "sample_id", "date", "cds", "dollar_value"),
        read=_read_cdnow,
        sha256="6fae10155c0b0ba363c2c386e30f77990d22328220efd862a5edd1443420d94a",
        members=("CDNOW_sample.txt",),
    ),
    "groceries": RemoteDataset(
        file="groceries.csv",
        url=(
            "https://raw.githubusercontent.com/stedy/Machine-Learning-with-R-datasets/"
            "ff933238d9c30da179b7e3ad4b6ca938d67efc53/groceries.csv"
        ),
        rows=9_835,
        columns=(),
        read=_read_groceries,
        sha256="ff1be892fd6b9b57d1a7bc50de067798963dda607619645988b21789bf23ae3b",
    ),
    "bank_additional_full": _bank(
        "bank-additional-full.csv",
        41_188,
        "74adfc578bf77a7ff4bb1ba4a9f8709d9e3c6907342959c2c8416847e0afb4d8",
    ),
    "bank_additional": _bank(
        "bank-additional.csv",
        4_119,
        "7e59cf650004d65d1c9d6b08553bad2ee9a9ad70d594f536e3c584ee6ed5df50",
    ),
    "bank_full": _bank(
        "bank-full.csv",
        45_211,
        "d1513ec63b385506f7cfce9f2c5caa9fe99e7ba4e8c3fa264b3aaf0f849ed32d",
    ),
    "bank_small": _bank(
        "bank.csv",
        4_521,
        "dc8d576e9bda0f41ee891251bd84bab9a39ce576cba715aac08adc2374a01fde",
    ),
    "telco_churn": RemoteDataset(
        file="WA_Fn-UseC_-Telco-Customer-Churn.csv",
        # IBM's copy has LF line endings where the common Kaggle copy has CRLF, so the
        # checksums differ; both are accepted on their columns, types and row count.
        url=(
            "https://raw.githubusercontent.com/IBM/telco-customer-churn-on-icp4d/"
            "d5371f5d83a446ad5673cbcca3b814b926491f8a/data/Telco-Customer-Churn.csv"
        ),
        rows=7_043,
        columns=tuple(
            "customerID gender SeniorCitizen Partner Dependents tenure PhoneService "
            "MultipleLines InternetService OnlineSecurity OnlineBackup DeviceProtection "
            "TechSupport StreamingTV StreamingMovies Contract PaperlessBilling PaymentMethod "
            "MonthlyCharges TotalCharges Churn".split()
        ),
        read=_read_telco,
        sha256=(
            "88be4b93fbe0cc83421af1c503794c97c342eca914c1576db7c276e61d61358a",  # CRLF (Kaggle)
            "16320c9c1ec72448db59aa0a26a0b95401046bef5d02fd3aeb906448e3055e91",  # LF (IBM)
        ),
    ),
    "online_shoppers": RemoteDataset(
        file="online_shoppers_intention.csv",
        url=f"{_UCI}/468/online+shoppers+purchasing+intention+dataset.zip",
        rows=12_330,
        columns=tuple(
            "Administrative Administrative_Duration Informational Informational_Duration "
            "ProductRelated ProductRelated_Duration BounceRates ExitRates PageValues "
            "SpecialDay Month OperatingSystems Browser Region TrafficType VisitorType "
            "Weekend Revenue".split()
        ),
        read=_read_online_shoppers,
        sha256="b3055ee355f59134d851d32641183cb4a8b45def7124d2f50442a042f358e0d9",
        members=("online_shoppers_intention.csv",),
    ),
}

#: ``fetch_bank_marketing(variant=...)`` -> registry key.
BANK_MARKETING_VARIANTS = {
    "additional-full": "bank_additional_full",
    "additional": "bank_additional",
    "full": "bank_full",
    "small": "bank_small",
}


# --------------------------------------------------------------------------------------------
# Data home, verification and download.


def data_home() -> Path:
    """Return the folder where the real datasets are kept.

    It is ``$CRMLIB_DATA`` when that variable is set and not empty, else the per-user cache
    folder ``platformdirs.user_cache_dir("crmlib")``. The folder may not exist yet; it is
    created on the first download.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> isinstance(data_home(), Path)
    True
    """
    configured = os.environ.get("CRMLIB_DATA", "").strip()
    if configured:
        folder = Path(configured).expanduser()
        if not folder.is_absolute():
            # A relative folder means another place in every process that starts elsewhere
            # (a notebook kernel starts in the notebook's folder), so say where it points.
            folder = folder.resolve()
            warnings.warn(
                f"CRMLIB_DATA is a relative path ({configured!r}); from this working "
                f"directory it means {folder}. Set an absolute path to mean one folder.",
                UserWarning,
                stacklevel=2,
            )
        return folder
    return Path(platformdirs.user_cache_dir("crmlib"))


def _home(folder: str | PathLike[str] | None) -> Path:
    if folder is None:
        return data_home()
    if not isinstance(folder, str | PathLike):
        raise TypeError(f"data_home: expected a folder path (str or Path), got {folder!r}")
    return Path(folder).expanduser()


def _dataset(name: object) -> RemoteDataset:
    if not isinstance(name, str) or name not in REMOTE_DATASETS:
        raise ValueError(f"name: expected one of {sorted(REMOTE_DATASETS)}, got {name!r}")
    return REMOTE_DATASETS[name]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


# What a corrupt file can make the readers raise (besides _Mismatch).
_PARSE_ERRORS = (ValueError, TypeError, KeyError, EOFError, zlib.error, gzip.BadGzipFile)


def _check(dataset: RemoteDataset, path: Path) -> Any:
    """Verify ``path`` against ``dataset`` and return its parsed, tidy content.

    A checksum mismatch is reported with what parsing finds, so the message says *how* the
    file differs (truncated, unparsable, or parsable with changed values).
    """
    problems = []
    if dataset.sha256 is not None:
        digest = _sha256(path)
        accepted = (dataset.sha256,) if isinstance(dataset.sha256, str) else dataset.sha256
        if digest not in accepted:
            problems.append(f"its sha256 is {digest}, expected {' or '.join(accepted)}")
    try:
        data = dataset.read(path, dataset)
    except _PARSE_ERRORS as exc:
        problems.append(f"it could not be parsed ({type(exc).__name__}: {exc})")
        raise _Mismatch("; ".join(problems)) from exc
    except _Mismatch as exc:
        raise _Mismatch("; ".join([*problems, str(exc)])) from exc
    if len(data) != dataset.rows:
        problems.append(f"it has {len(data):,} records, expected {dataset.rows:,}")
    elif problems:
        problems.append("it parses with the right number of records, so values were changed")
    if problems:
        raise _Mismatch("; ".join(problems))
    return data


def _url(dataset: RemoteDataset) -> str:
    mirror = os.environ.get("CRMLIB_DATA_URL", "").strip()
    if mirror:
        return f"{mirror.rstrip('/')}/{urllib.parse.quote(dataset.download_name)}"
    return dataset.url


def _open(url: str):
    """Open ``url`` for reading (one place, so tests can check where requests go)."""
    request = urllib.request.Request(url, headers={"User-Agent": "crmlib (CRM Workbook)"})
    return urllib.request.urlopen(request, timeout=60)


def _stream(url: str, out, label: str) -> None:
    with _open(url) as response:
        length = response.headers.get("Content-Length")
        total = int(length) if length else None
        received = 0
        from tqdm.auto import tqdm  # here, not at import: it loads ipywidgets when present

        with tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024, desc=label) as bar:
            while chunk := response.read(1 << 16):
                out.write(chunk)
                received += len(chunk)
                bar.update(len(chunk))
    if total is not None and received != total:
        raise OSError(f"the connection closed after {received:,} of {total:,} bytes")


def _unpack(payload: bytes, dataset: RemoteDataset) -> bytes:
    try:
        for member in dataset.members:
            with zipfile.ZipFile(io.BytesIO(payload)) as archive:
                found = [
                    n
                    for n in archive.namelist()
                    if PurePosixPath(n).name == member and not n.startswith("__MACOSX/")
                ]
                if len(found) != 1:
                    raise _Mismatch(
                        f"the archive should hold one entry named {member!r}, "
                        f"it holds {archive.namelist()}"
                    )
                payload = archive.read(found[0])
        return dataset.convert(payload) if dataset.convert else payload
    except (zipfile.BadZipFile, *_PARSE_ERRORS) as exc:
        raise _Mismatch(f"it could not be unpacked ({type(exc).__name__}: {exc})") from exc


def _absent(dataset: RemoteDataset, home: Path, url: str, reason: str) -> DatasetNotFoundError:
    how = (
        f"save {url} there unchanged as {dataset.download_name!r} (crmlib installs "
        f"{dataset.file!r} from it on the next call)"
        if dataset.members or dataset.convert or dataset.download_name != dataset.file
        else f"save {url} there as {dataset.file!r}"
    )
    return DatasetNotFoundError(
        f"{dataset.file} is not in the data folder {home}, and {reason}. "
        f"To install it by hand, {how}; or set CRMLIB_DATA to a folder that holds "
        f"{dataset.file!r}."
    )


def _install(dataset: RemoteDataset, home: Path, download: bool) -> Any:
    """Fetch ``dataset`` into ``home`` (from a publisher file there, or the network)."""
    url = _url(dataset)
    local = home / dataset.download_name
    use_local = local.is_file() and local.name != dataset.file
    if not (download or use_local):
        raise _absent(dataset, home, url, "downloading is switched off (download_if_missing)")
    created = [p for p in (home, *home.parents) if not p.exists()]  # to remove on failure
    try:
        home.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=home, prefix=".crmlib-", suffix=f"-{dataset.file}")
    except OSError as exc:
        raise _absent(dataset, home, url, f"that folder is not writable ({exc})") from exc
    temporary = Path(name)
    source = str(local) if use_local else url
    try:
        with os.fdopen(handle, "wb") as out:
            if use_local:
                out.write(local.read_bytes())
            else:
                try:
                    _stream(url, out, dataset.file)
                except (OSError, http.client.HTTPException, ValueError) as exc:
                    raise _absent(dataset, home, url, f"the download failed ({exc})") from exc
        try:
            if dataset.members or dataset.convert:
                temporary.write_bytes(_unpack(temporary.read_bytes(), dataset))
            data = _check(dataset, temporary)
        except _Mismatch as exc:
            kept = "it was left untouched" if use_local else "it was deleted"
            raise DatasetCorruptError(
                f"{dataset.file}: the file from {source} is not the published dataset: {exc}; "
                f"{kept} and nothing was saved in {home}. Download it again later, or "
                f"install it by hand (see the crmlib.datasets.fetch documentation)."
            ) from exc
        temporary.chmod(0o644)
        os.replace(temporary, home / dataset.file)
        created = []  # installed: the folders stay
        return data
    finally:
        temporary.unlink(missing_ok=True)
        for folder in created:  # innermost first; a folder someone filled meanwhile stays
            try:
                folder.rmdir()
            except OSError:
                break


def _load(name: str, folder: str | PathLike[str] | None, download_if_missing: object) -> Any:
    dataset = REMOTE_DATASETS[name]
    download = require_bool(download_if_missing, "download_if_missing")
    home = _home(folder)
    path = home / dataset.file
    if not path.is_file():
        return _install(dataset, home, download)
    try:
        return _check(dataset, path)
    except _Mismatch as exc:
        raise DatasetCorruptError(
            f"{path} is not the published {dataset.file}: {exc}. The file was left untouched; "
            f"replace it with the file published at {dataset.url} (or delete it and crmlib "
            f"will download it), or point CRMLIB_DATA to another folder."
        ) from exc


def verify(name: str, *, data_home: str | PathLike[str] | None = None) -> Path:
    """Check that a dataset's file in the data home is the published one, without downloading.

    Parameters
    ----------
    name : str
        A key of :data:`REMOTE_DATASETS`, e.g. ``"online_retail"``, ``"cdnow_master"``,
        ``"bank_additional_full"``.
    data_home : str or Path, optional
        Folder to check instead of :func:`data_home`.

    Returns
    -------
    pathlib.Path
        The verified file.

    Raises
    ------
    DatasetNotFoundError
        If the file is not there.
    DatasetCorruptError
        If its checksum, parse, columns or row count is wrong (the file is left untouched).

    Examples
    --------
    >>> verify("cdnow_sample").name
    'CDNOW_sample.txt'
    """
    dataset = _dataset(name)
    home = _home(data_home)
    path = home / dataset.file
    if not path.is_file():
        raise _absent(dataset, home, _url(dataset), "verify() does not download")
    _load(name, home, False)
    return path


# --------------------------------------------------------------------------------------------
# The public loaders.

_Folder = str | PathLike[str] | None


def fetch_online_retail(
    *,
    drop_cancellations: bool = False,
    drop_missing_customer: bool = False,
    drop_non_products: bool = False,
    drop_duplicates: bool = False,
    data_home: _Folder = None,
    download_if_missing: bool = True,
) -> pd.DataFrame:
    """Load UCI "Online Retail": 541,909 invoice lines of a UK gift-ware retailer, 2010-11.

    The stored file is ``online_retail.csv.gz``: UCI's ``Online Retail.xlsx`` written as UTF-8
    CSV (LF, dates ``YYYY-MM-DD HH:MM:SS``, descriptions trimmed, gzip with mtime 0). When it
    is downloaded, crmlib converts UCI's xlsx to that form with openpyxl, which takes a minute
    or two once. UCI's checksum is unknown, so the file is checked by its columns, types and
    row count only. Chen, Sain & Guo (2012); UCI dataset 352, CC BY 4.0.

    Parameters
    ----------
    drop_cancellations : bool, default False
        Drop the 9,288 lines of cancelled invoices (``invoice_no`` starting with ``C``).
    drop_missing_customer : bool, default False
        Drop the 135,080 lines with no ``customer_id``.
    drop_non_products : bool, default False
        Drop the 2,995 lines whose stock code does not start with a digit: postage (``POST``,
        ``DOT``, ``C2``), manual entries and discounts (``M``, ``m``, ``D``, ``S``), fees
        (``BANK CHARGES``, ``AMAZONFEE``), ``CRUK``, gift vouchers ``gift_0001_*``, ``DCGS*``,
        the bad-debt adjustments ``B`` and the ``PADS`` filler.
    drop_duplicates : bool, default False
        Keep the first of each group of identical lines (drops 5,268 lines).
    data_home : str or Path, optional
        Folder to use instead of :func:`data_home`.
    download_if_missing : bool, default True
        Download from UCI when the file is not in the data home.

    Returns
    -------
    pandas.DataFrame
        One row per invoice line: ``invoice_no`` (str), ``stock_code`` (str),
        ``description`` (str, 1,454 missing), ``quantity`` (int64, negative on
        cancellations and write-offs), ``invoice_date`` (datetime64, local time),
        ``unit_price`` (float64, pounds sterling), ``customer_id`` (nullable ``Int64``:
        missing stays ``<NA>``), ``country`` (str) and ``amount`` = quantity * unit_price.
        The flags filter rows independently; the index is renumbered from 0.

    Examples
    --------
    >>> tx = fetch_online_retail(drop_missing_customer=True)
    >>> len(tx), tx["customer_id"].nunique(), tx["country"].nunique()
    (406829, 4372, 37)
    """
    flags = {
        "drop_cancellations": drop_cancellations,
        "drop_missing_customer": drop_missing_customer,
        "drop_non_products": drop_non_products,
        "drop_duplicates": drop_duplicates,
    }
    flags = {name: require_bool(value, name) for name, value in flags.items()}
    tx = _load("online_retail", data_home, download_if_missing)
    keep = pd.Series(True, index=tx.index)
    if flags["drop_cancellations"]:
        keep &= ~tx["invoice_no"].str.startswith("C")
    if flags["drop_missing_customer"]:
        keep &= tx["customer_id"].notna()
    if flags["drop_non_products"]:
        keep &= tx["stock_code"].str.startswith(tuple("0123456789"))
    if flags["drop_duplicates"]:
        keep &= ~tx.duplicated()
    return tx if keep.all() else tx[keep].reset_index(drop=True)


def fetch_cdnow(
    sample: bool = False,
    *,
    data_home: _Folder = None,
    download_if_missing: bool = True,
) -> pd.DataFrame:
    """Load the CDNOW purchase histories (Fader & Hardie 2001) from brucehardie.com.

    The full cohort is the 23,570 customers who first bought at CDNOW in Q1 1997, followed to
    June 1998 (69,659 purchase records); the 1/10 systematic sample used in the BG/NBD and
    Pareto/NBD papers has 2,357 of them (6,919 records). A customer can have several records
    on one day (genuine repeat purchases); aggregate by customer and day for one
    transaction per day.

    Parameters
    ----------
    sample : bool, default False
        Load ``CDNOW_sample.txt`` instead of ``CDNOW_master.txt``.
    data_home : str or Path, optional
        Folder to use instead of :func:`data_home`.
    download_if_missing : bool, default True
        Download the zip from brucehardie.com when the file is not in the data home.

    Returns
    -------
    pandas.DataFrame
        ``customer_id`` (int64, the master-file ID; the file zero-pads it to 5 digits),
        for the sample also ``sample_id`` (int64, 1..2357), then ``date`` (datetime64),
        ``cds`` (int64, number of CDs) and ``dollar_value`` (float64).

    Examples
    --------
    >>> cd = fetch_cdnow()
    >>> len(cd), cd["customer_id"].nunique(), int(cd["cds"].sum())
    (69659, 23570, 167881)
    >>> fetch_cdnow(sample=True)["sample_id"].nunique()
    2357
    """
    sample = require_bool(sample, "sample")
    return _load("cdnow_sample" if sample else "cdnow_master", data_home, download_if_missing)


def fetch_groceries(
    as_frame: bool = False,
    *,
    data_home: _Folder = None,
    download_if_missing: bool = True,
) -> list[list[str]] | pd.DataFrame:
    """Load "Groceries": 9,835 point-of-sale baskets over 169 item categories (arules).

    One month of a grocery outlet's transactions, as shipped with the R package arules
    (Hahsler, Hornik & Reutterer 2006), in the basket-format CSV of Lantz, *Machine
    Learning with R*, downloaded from GitHub ``stedy/Machine-Learning-with-R-datasets``.

    Parameters
    ----------
    as_frame : bool, default False
        Return a long frame with one row per (basket, item) instead of a list of baskets.
    data_home : str or Path, optional
        Folder to use instead of :func:`data_home`.
    download_if_missing : bool, default True
        Download the file when it is not in the data home.

    Returns
    -------
    list of list of str, or pandas.DataFrame
        The baskets in file order, each a list of item names in arules' item order (with
        no leading or trailing spaces: the file has "cream cheese "); or,
        with ``as_frame=True``, columns ``basket_id`` (int64, the basket's position in that
        list, from 0) and ``item`` (str), 43,367 rows.

    Examples
    --------
    >>> baskets = fetch_groceries()
    >>> len(baskets), len({item for basket in baskets for item in basket})
    (9835, 169)
    >>> fetch_groceries(as_frame=True).columns.tolist()
    ['basket_id', 'item']
    """
    as_frame = require_bool(as_frame, "as_frame")
    baskets = _load("groceries", data_home, download_if_missing)
    if not as_frame:
        return baskets
    sizes = [len(basket) for basket in baskets]
    return pd.DataFrame(
        {
            "basket_id": np.repeat(np.arange(len(baskets), dtype="int64"), sizes),
            "item": pd.array([item for basket in baskets for item in basket], dtype="str"),
        }
    )


def fetch_bank_marketing(
    variant: str = "additional-full",
    *,
    data_home: _Folder = None,
    download_if_missing: bool = True,
) -> pd.DataFrame:
    """Load UCI "Bank Marketing": a Portuguese bank's term-deposit phone campaigns, 2008-10.

    Moro, Cortez & Rita (2014); UCI dataset 222, CC BY 4.0. UCI serves the four files inside
    ``bank+marketing.zip`` (which holds ``bank-additional.zip`` and ``bank.zip``).

    =====================  ============================  ======  =======
    ``variant``            file                          rows    columns
    =====================  ============================  ======  =======
    ``"additional-full"``  ``bank-additional-full.csv``  41,188  21
    ``"additional"``       ``bank-additional.csv``       4,119   21
    ``"full"``             ``bank-full.csv``             45,211  17
    ``"small"``            ``bank.csv``                  4,521   17
    =====================  ============================  ======  =======

    The "additional" files add five social and economic indicators; the other two
    have ``balance`` and ``day`` instead. Caveats kept as published:

    - ``pdays`` (days since the previous campaign's contact) is 999 for "not previously
      contacted" in the additional files but -1 in the older ones; do not average it as is.
    - Missing values are the category ``"unknown"`` (e.g. 20.9 % of ``default``).
    - ``duration`` is known only after the call and leaks the target: drop it for
      realistic models.

    Parameters
    ----------
    variant : {"additional-full", "additional", "full", "small"}, default "additional-full"
        Which of the four files to load.
    data_home : str or Path, optional
        Folder to use instead of :func:`data_home`.
    download_if_missing : bool, default True
        Download UCI's zip when the file is not in the data home.

    Returns
    -------
    pandas.DataFrame
        The published columns in snake_case (``emp.var.rate`` -> ``emp_var_rate``), numbers
        as int64/float64, categories as str, and ``y`` (subscribed) as bool.

    Examples
    --------
    >>> bank = fetch_bank_marketing()
    >>> len(bank), int(bank["y"].sum())
    (41188, 4640)
    >>> fetch_bank_marketing("small").shape
    (4521, 17)
    """
    if not isinstance(variant, str) or variant not in BANK_MARKETING_VARIANTS:
        raise ValueError(
            f"variant: expected one of {list(BANK_MARKETING_VARIANTS)}, got {variant!r}"
        )
    return _load(BANK_MARKETING_VARIANTS[variant], data_home, download_if_missing)


def fetch_telco_churn(
    *, data_home: _Folder = None, download_if_missing: bool = True
) -> pd.DataFrame:
    """Load IBM's "Telco Customer Churn" sample: 7,043 customers of a fictional telco.

    Downloaded from IBM's GitHub (``IBM/telco-customer-churn-on-icp4d``). IBM's copy has LF
    line endings and the widely shared Kaggle copy ``WA_Fn-UseC_-Telco-Customer-Churn.csv``
    has CRLF; otherwise they are identical, and either is accepted under that file name
    (checked on columns, types and rows, not checksum).

    Parameters
    ----------
    data_home : str or Path, optional
        Folder to use instead of :func:`data_home`.
    download_if_missing : bool, default True
        Download the file when it is not in the data home.

    Returns
    -------
    pandas.DataFrame
        Columns in snake_case (``customerID`` -> ``customer_id``, ``StreamingTV`` ->
        ``streaming_tv``). ``senior_citizen`` (published as 0/1), ``partner``,
        ``dependents``, ``phone_service``, ``paperless_billing`` and ``churn`` (published as
        Yes/No) are bool. Columns with a third value such as ``"No internet service"`` stay
        str. ``total_charges`` is float64 and NaN for the 11 customers with tenure 0,
        whose published value is a blank.

    Examples
    --------
    >>> telco = fetch_telco_churn()
    >>> len(telco), int(telco["churn"].sum()), int(telco["total_charges"].isna().sum())
    (7043, 1869, 11)
    """
    return _load("telco_churn", data_home, download_if_missing)


def fetch_online_shoppers(
    *, data_home: _Folder = None, download_if_missing: bool = True
) -> pd.DataFrame:
    """Load UCI "Online Shoppers Purchasing Intention": 12,330 web sessions of one year.

    Sakar et al. (2019); UCI dataset 468, CC BY 4.0. The target ``revenue`` says whether
    the session ended in a purchase (15.5 % of sessions).

    Parameters
    ----------
    data_home : str or Path, optional
        Folder to use instead of :func:`data_home`.
    download_if_missing : bool, default True
        Download UCI's zip when the file is not in the data home.

    Returns
    -------
    pandas.DataFrame
        Columns in snake_case (``ProductRelated_Duration`` -> ``product_related_duration``).
        ``month`` is an ordered categorical of the twelve 3-letter months, normalised from
        the published values (UCI writes ``"June"`` but ``"Feb"``, ``"Mar"``...; January and
        April do not occur). ``weekend`` and ``revenue`` (published as TRUE/FALSE) are bool.
        Page counts and the categorical codes (``operating_systems``, ``browser``,
        ``region``, ``traffic_type``) are int64; durations and rates float64.

    Examples
    --------
    >>> shoppers = fetch_online_shoppers()
    >>> len(shoppers), int(shoppers["revenue"].sum())
    (12330, 1908)
    >>> int((shoppers["month"] == "Jun").sum())
    288
    """
    return _load("online_shoppers", data_home, download_if_missing)
