"""The trace list's filters survive a round trip through the URL; bad values are dropped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl

from eventlog_dashboard._private.filters import TIME_PRESETS, TraceFilters, parse_local
from hypothesis import given
from hypothesis import strategies as st

NOW = datetime(2026, 2, 26, 14, 30, tzinfo=UTC)


def _round_trip(filters: TraceFilters) -> TraceFilters:
    return TraceFilters.from_query(dict(parse_qsl(filters.to_query())))


def test_defaults_make_an_empty_query() -> None:
    assert TraceFilters().to_query() == ""
    assert TraceFilters().href() == "/"
    assert not TraceFilters().active
    assert TraceFilters(page=3).active is False


def test_every_field_round_trips() -> None:
    filters = TraceFilters(
        range="custom",
        start="2026-02-01T08:00",
        end="2026-02-02T18:30",
        process="order_fulfilment",
        account="ACC 1",
        trace_id="ab" * 16,
        correlation_id="corr/7&x",
        statuses=("FAILURE", "WARNING"),
        errors_only=True,
        search="card declined",
        page=4,
    )
    assert _round_trip(filters) == filters
    assert filters.active


def test_lenient_parsing() -> None:
    parsed = TraceFilters.from_query(
        {
            "range": "forever",
            "status": "failure,bogus,SUCCESS",
            "page": "-3",
            "errors": "yes",
            "from": "not a date",
            "trace": " ABCD ",
        }
    )
    assert parsed.range == "all"
    assert parsed.statuses == ("SUCCESS", "FAILURE")  # contract order, unknown dropped
    assert parsed.page == 1
    assert parsed.errors_only is True
    assert parsed.start == ""
    assert parsed.trace_id == "abcd"
    assert TraceFilters.from_query({"page": "x"}).page == 1


def test_changes_go_back_to_page_one_unless_paging() -> None:
    filters = TraceFilters(page=5)
    assert filters.with_changes(process="x").page == 1
    assert filters.with_changes(page=6).page == 6


def test_windows() -> None:
    assert TraceFilters().window(NOW) == (None, None)
    assert TraceFilters(range="24h").window(NOW) == (NOW - timedelta(hours=24), None)
    assert TraceFilters(range="7d").window(NOW)[0] == NOW - timedelta(days=7)
    custom = TraceFilters(range="custom", start="2026-02-01T08:00", end="")
    assert custom.window(NOW) == (datetime(2026, 2, 1, 8, tzinfo=UTC), None)
    assert parse_local("2026-02-01T08:00:30") == datetime(2026, 2, 1, 8, 0, 30, tzinfo=UTC)
    assert parse_local("2026-02-01T10:00+02:00") == datetime(2026, 2, 1, 8, tzinfo=UTC)
    assert set(TIME_PRESETS) == {"all", "1h", "24h", "7d", "30d", "custom"}


def test_has_errors_is_only_sent_when_on() -> None:
    assert TraceFilters(errors_only=True).has_errors is True
    assert TraceFilters().has_errors is None


text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=20).map(
    str.strip
)


@given(
    process=text,
    account=text,
    correlation=text,
    search=text,
    statuses=st.sets(st.sampled_from(["SUCCESS", "FAILURE", "IN_PROGRESS", "SKIPPED", "WARNING"])),
    errors=st.booleans(),
    page=st.integers(1, 10_000),
    range_key=st.sampled_from([k for k in TIME_PRESETS if k != "custom"]),
)
def test_round_trip_property(
    process: str,
    account: str,
    correlation: str,
    search: str,
    statuses: set[str],
    errors: bool,
    page: int,
    range_key: str,
) -> None:
    order = ("SUCCESS", "FAILURE", "IN_PROGRESS", "SKIPPED", "WARNING")
    filters = TraceFilters(
        range=range_key,
        process=process,
        account=account,
        correlation_id=correlation,
        search=search,
        statuses=tuple(s for s in order if s in statuses),
        errors_only=errors,
        page=page,
    )
    assert _round_trip(filters) == filters
