"""Says, once, whether the SQL Server variant of the API suite runs."""

from __future__ import annotations

import os

import pytest

from .conftest import MSSQL_URL_VARIABLE


@pytest.mark.mssql
def test_sql_server_suite_is_configured() -> None:
    if not os.environ.get(MSSQL_URL_VARIABLE):
        pytest.skip(
            f"the SQL Server variant of the storage and endpoint suite runs only when "
            f"{MSSQL_URL_VARIABLE} is set (e.g. mssql://sa:pw@127.0.0.1:1433/eventlog"
            "?driver=ODBC+Driver+18+for+SQL+Server&TrustServerCertificate=yes)"
        )
