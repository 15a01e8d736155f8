"""LoggerConfig defaults and EVENTLOG_* parsing; retry policy and Retry-After."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from eventlog_sdk import ENVIRONMENT, LoggerConfig, RetryPolicy, parse_retry_after
from eventlog_sdk._private import settings


def test_defaults_are_the_named_constants() -> None:
    cfg = LoggerConfig()
    assert cfg.queue_capacity == settings.DEFAULT_QUEUE_CAPACITY == 10_000
    assert cfg.batch_size == settings.DEFAULT_BATCH_SIZE == 100
    assert cfg.batch_max_bytes < settings.DEFAULT_MAX_BODY_BYTES
    assert cfg.linger_s == settings.DEFAULT_LINGER_S == 0.1
    assert (cfg.retry_base_s, cfg.retry_cap_s) == (0.5, 30.0)
    assert cfg.breaker_failure_threshold == 5
    assert cfg.breaker_reset_s == 30.0
    assert cfg.replay_interval_s == 10.0
    assert cfg.spillover_enabled
    assert cfg.max_payload_chars == settings.DEFAULT_MAX_PAYLOAD_CHARS


def test_from_env_reads_every_variable() -> None:
    env = {
        "EVENTLOG_API_URL": "http://10.0.0.1:9000",
        "EVENTLOG_API_KEY": "secret",
        "EVENTLOG_APPLICATION_ID": "billing",
        "EVENTLOG_SDK_QUEUE_CAPACITY": "5_000",
        "EVENTLOG_SDK_BATCH_SIZE": "50",
        "EVENTLOG_SDK_LINGER_MS": "20",
        "EVENTLOG_SDK_RETRY_CAP_MS": "1500",
        "EVENTLOG_SDK_SPILLOVER_ENABLED": "false",
        "EVENTLOG_SDK_SPILLOVER_DIR": "/tmp/x",
        "EVENTLOG_SDK_BREAKER_RESET_MS": "2500",
    }
    cfg = LoggerConfig.from_env(env)
    assert cfg.base_url == "http://10.0.0.1:9000"
    assert cfg.api_key == "secret"
    assert cfg.application_id == "billing"
    assert cfg.queue_capacity == 5000
    assert cfg.batch_size == 50
    assert cfg.linger_s == pytest.approx(0.02)
    assert cfg.retry_cap_s == pytest.approx(1.5)
    assert cfg.spillover_enabled is False
    assert cfg.spillover_dir == Path("/tmp/x")
    assert cfg.breaker_reset_s == pytest.approx(2.5)


def test_every_environment_variable_names_a_field() -> None:
    fields = set(LoggerConfig.__dataclass_fields__)
    for var, (name, _parse) in ENVIRONMENT.items():
        assert var.startswith("EVENTLOG_")
        assert name in fields


def test_overrides_win_over_environment() -> None:
    cfg = LoggerConfig.from_env({"EVENTLOG_SDK_BATCH_SIZE": "50"}, batch_size=7)
    assert cfg.batch_size == 7


@pytest.mark.parametrize(
    ("var", "value"),
    [
        ("EVENTLOG_SDK_BATCH_SIZE", "many"),
        ("EVENTLOG_SDK_SPILLOVER_ENABLED", "perhaps"),
        ("EVENTLOG_SDK_LINGER_MS", "soon"),
    ],
)
def test_unparsable_variable_is_reported_by_name(var: str, value: str) -> None:
    with pytest.raises(ValueError, match=var):
        LoggerConfig.from_env({var: value})


def test_out_of_range_values_are_refused_not_clamped() -> None:
    with pytest.raises(ValueError, match="batch_size"):
        LoggerConfig(batch_size=0)
    with pytest.raises(ValueError, match="linger_s"):
        LoggerConfig(linger_s=-1)
    with pytest.raises(TypeError, match="unknown"):
        LoggerConfig.from_env({}, no_such_field=1)


def test_spillover_folder_is_per_api_url(tmp_path: Path) -> None:
    a = LoggerConfig(base_url="http://a:1").resolved_spillover_dir
    b = LoggerConfig(base_url="http://b:1").resolved_spillover_dir
    assert a != b
    assert LoggerConfig(spillover_dir=tmp_path).resolved_spillover_dir == tmp_path


def test_full_jitter_stays_within_the_exponential_ceiling() -> None:
    policy = RetryPolicy(base_s=0.5, cap_s=30.0, max_attempts=10)
    rng = random.Random(7)
    for n in range(12):
        ceiling = min(30.0, 0.5 * 2**n)
        samples = [policy.backoff(n, rng) for _ in range(300)]
        assert all(0.0 <= s <= ceiling for s in samples)
        # Full jitter spreads over the whole range, not just near the ceiling.
        assert min(samples) < ceiling * 0.1
        assert max(samples) > ceiling * 0.9


def test_retry_after_replaces_backoff_and_too_long_gives_up() -> None:
    policy = RetryPolicy(base_s=0.5, cap_s=10.0)
    assert policy.delay(0, 3.0) == 3.0
    assert policy.delay(0, 11.0) is None
    assert 0 <= (policy.delay(3, None) or 0) <= 4.0


def test_parse_retry_after_forms() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert parse_retry_after("2") == 2.0
    assert parse_retry_after(" 1.5 ") == 1.5
    assert parse_retry_after(None) is None
    assert parse_retry_after("") is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("nan") is None
    assert parse_retry_after("-3") == 0.0
    later = format_datetime(now + timedelta(seconds=30), usegmt=True)
    assert parse_retry_after(later, now=now) == pytest.approx(30.0)
    earlier = format_datetime(now - timedelta(seconds=30), usegmt=True)
    assert parse_retry_after(earlier, now=now) == 0.0


def test_retry_policy_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="max_attempts"):
        RetryPolicy(max_attempts=0)
