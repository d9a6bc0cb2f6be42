"""db-load: source checks before any database work, real COPY into PostgreSQL, replace, load_info."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import psycopg
import pytest

from cdmbench.data_export.load import load_mimic
from cdmbench.data_export.load_info import read_load_info
from cdmbench.data_export.tables import TABLES, find_source_files
from cdmbench.errors import DataSourceError
from tests.data_export.mini_mimic import row_counts, write_mini_mimic


def _counts(conn: psycopg.Connection) -> dict[str, int]:
    return {t.qualified: conn.execute(f"SELECT count(*) FROM {t.qualified}").fetchone()[0] for t in TABLES}


def test_missing_source_dir_is_named(tmp_path: Path) -> None:
    with pytest.raises(DataSourceError, match=r"nowhere.*does not exist"):
        find_source_files(tmp_path / "nowhere")


def test_missing_csv_is_named(tmp_path: Path) -> None:
    write_mini_mimic(tmp_path)
    (tmp_path / "hosp" / "labevents.csv.gz").unlink()
    (tmp_path / "note" / "radiology_detail.csv.gz").unlink()
    with pytest.raises(
        DataSourceError, match=r"missing \S*/hosp/labevents\.csv\.gz, \S*/note/radiology_detail\.csv\.gz"
    ):
        find_source_files(tmp_path)


@pytest.mark.postgres
def test_missing_csv_leaves_database_untouched(tmp_path: Path, pg_conn: psycopg.Connection) -> None:
    write_mini_mimic(tmp_path)
    (tmp_path / "hosp" / "d_labitems.csv.gz").unlink()
    with pytest.raises(DataSourceError, match="d_labitems"):
        load_mimic(pg_conn, tmp_path, progress=False)
    assert pg_conn.execute("SELECT to_regnamespace('mimiciv_hosp')").fetchone()[0] is None


@pytest.mark.postgres
def test_load_twice_with_replace_gives_the_same_rows(tmp_path: Path, pg_conn: psycopg.Connection) -> None:
    source = write_mini_mimic(tmp_path / "synthetic")
    first = load_mimic(pg_conn, source, replace=True, progress=False)
    assert first.rows == row_counts()
    assert _counts(pg_conn) == row_counts()
    second = load_mimic(pg_conn, source, replace=True, progress=False)
    assert second.rows == row_counts()
    assert _counts(pg_conn) == row_counts()
    info = read_load_info(pg_conn)
    assert info is not None and info.synthetic and info.cases_source == "synthetic"
    assert info.synthetic_info == {"generator": "tests.mini_mimic"}
    # MIMIC-IV's column types
    types = dict(
        pg_conn.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'mimiciv_hosp' AND table_name = 'labevents'"
        ).fetchall()
    )
    assert types["valuenum"] == "double precision"
    assert types["charttime"] == "timestamp without time zone"
    value = pg_conn.execute("SELECT valuenum FROM mimiciv_hosp.labevents WHERE labevent_id = 3").fetchone()[0]
    assert value == 14.2


@pytest.mark.postgres
def test_replace_false_keeps_loaded_tables(tmp_path: Path, pg_conn: psycopg.Connection) -> None:
    source = write_mini_mimic(tmp_path / "synthetic")
    load_mimic(pg_conn, source, progress=False)
    summary = load_mimic(pg_conn, source, replace=False, progress=False)
    assert set(summary.rows.values()) == {None}
    assert _counts(pg_conn) == row_counts()


@pytest.mark.postgres
def test_real_mimic_layout_with_extra_files(tmp_path: Path, pg_conn: psycopg.Connection) -> None:
    source = write_mini_mimic(tmp_path / "mimiciv", synthetic=False)
    (source / "hosp" / "omr.csv.gz").write_bytes(gzip.compress(b"subject_id,chartdate\n1,2150-01-01\n"))
    (source / "hosp" / "index.html").write_text("<html></html>")
    (source / "LICENSE.txt").write_text("license")
    (source / "note" / "discharge_detail.csv.gz").write_bytes(gzip.compress(b"note_id\n"))
    summary = load_mimic(pg_conn, source, progress=False)
    assert summary.rows == row_counts()
    assert not summary.synthetic
    assert pg_conn.execute("SELECT to_regclass('mimiciv_hosp.omr')").fetchone()[0] is None
    info = read_load_info(pg_conn)
    assert info is not None and not info.synthetic and info.cases_source == "mimic-iv"


@pytest.mark.postgres
def test_plain_csv_and_older_column_layout(tmp_path: Path, pg_conn: psycopg.Connection) -> None:
    source = write_mini_mimic(tmp_path / "plain", gzipped=False)
    # an older release without order_provider_id: columns are matched by header
    lab = source / "hosp" / "labevents.csv"
    lines = lab.read_text().splitlines()
    header = lines[0].split(",")
    drop = header.index("order_provider_id")
    import csv
    import io

    rows = list(csv.reader(io.StringIO(lab.read_text())))
    out = io.StringIO()
    csv.writer(out).writerows([r[:drop] + r[drop + 1 :] for r in rows])
    lab.write_text(out.getvalue())
    summary = load_mimic(pg_conn, source, progress=False)
    assert summary.rows["mimiciv_hosp.labevents"] == row_counts()["mimiciv_hosp.labevents"]


@pytest.mark.postgres
def test_bad_rows_leave_no_half_loaded_table(tmp_path: Path, pg_conn: psycopg.Connection) -> None:
    source = write_mini_mimic(tmp_path / "synthetic")
    load_mimic(pg_conn, source, progress=False)
    bad = tmp_path / "bad"
    shutil.copytree(source, bad)
    text = gzip.decompress((bad / "hosp" / "labevents.csv.gz").read_bytes()).decode()
    (bad / "hosp" / "labevents.csv.gz").write_bytes(gzip.compress((text + "oops,1,2\n").encode()))
    with pytest.raises(DataSourceError, match=r"labevents\.csv\.gz.*could not be loaded"):
        load_mimic(pg_conn, bad, progress=False)
    # the earlier labevents is intact
    assert _counts(pg_conn)["mimiciv_hosp.labevents"] == row_counts()["mimiciv_hosp.labevents"]


def test_unknown_header_column_is_named(tmp_path: Path) -> None:
    from cdmbench.data_export.load import _checked_columns

    source = write_mini_mimic(tmp_path)
    files = find_source_files(source)
    table = next(t for t in TABLES if t.name == "d_labitems")
    files[table].write_bytes(gzip.compress(b"itemid,label,fluid,category,loinc_code,colour\n"))
    with pytest.raises(DataSourceError, match="loinc_code, colour"):
        _checked_columns(table, files[table])
