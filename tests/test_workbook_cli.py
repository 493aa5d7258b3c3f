"""The crm-workbook command outside the repository, and the data home it hands to kernels."""

import pytest

from crm_workbook import cli, notebooks


def test_outside_the_repository_the_message_names_repo(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit, match=r"not inside a workbook repository.*--repo PATH"):
        cli.main(["exercises"])


def test_kernels_get_an_absolute_data_home(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CRMLIB_DATA", "data")
    assert notebooks.kernel_env()["CRMLIB_DATA"] == str(tmp_path / "data")
