"""Spillover on a full disk: a real write failure (RLIMIT_FSIZE) is counted, never torn."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

TESTS_DIR = Path(__file__).resolve().parents[1]

SCRIPT = textwrap.dedent(
    """
    import asyncio, json, resource, signal, sys
    from pathlib import Path
    sys.path.insert(0, sys.argv[2])
    from eventlog_sdk import AsyncEventLogger, InMemoryTransport
    from sdk.helpers import fast_config, make_event

    # Past the limit, write() fails with EFBIG (as on a full disk) instead of a signal.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))

    async def main():
        down = InMemoryTransport()
        down.disconnect_next(times=10_000)
        config = fast_config(
            Path(sys.argv[1]), retry_max_attempts=1, breaker_failure_threshold=1,
            breaker_reset_s=60, batch_size=7,
        )
        async with AsyncEventLogger(config, transport=down) as logger:
            for i in range(200):
                await logger.log(make_event(i))
            await logger.flush(10)
            stats = logger.stats()
        print(json.dumps({"spilled": stats.spilled, "dropped": dict(stats.dropped)}))

    asyncio.run(main())
    """
)


def test_disk_full_spillover_counts_its_losses_and_leaves_whole_lines(
    spill_dir: Path, tmp_path: Path
) -> None:
    script = tmp_path / "disk_full.py"
    script.write_text(SCRIPT)
    result = subprocess.run(
        [sys.executable, str(script), str(spill_dir), str(TESTS_DIR)],
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode()
    report = json.loads(result.stdout.decode().strip().splitlines()[-1])
    failed = report["dropped"].get("spillover_error", 0)
    assert report["spilled"] > 0
    assert failed > 0
    assert report["spilled"] + failed == 200
    assert set(report["dropped"]) == {"spillover_error"}
    data = b"".join(p.read_bytes() for p in sorted(spill_dir.iterdir()))
    assert data.endswith(b"\n")  # a failed write was truncated away, no torn line
    lines = [line for line in data.split(b"\n") if line]
    assert len(lines) == report["spilled"]
    assert all(json.loads(line)["idempotencyKey"] for line in lines)
