"""Spillover files: caps, rotation, locking between claimers, torn and corrupt lines."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import msgspec
from eventlog_schemas import encode
from eventlog_sdk._private.spillover import SpilloverStore

from sdk.helpers import make_event


def lines(n: int, start: int = 0) -> list[bytes]:
    return [encode(make_event(start + i, idempotency_key=f"k{start + i}")) for i in range(n)]


def store(path: Path, **overrides: int) -> SpilloverStore:
    limits = {"max_bytes": 10_000_000, "max_events": 1000, "segment_bytes": 1_000_000}
    limits.update(overrides)
    s = SpilloverStore(path, **limits)
    s.open()
    return s


def test_append_then_replay_oldest_first(spill_dir: Path) -> None:
    s = store(spill_dir)
    first = lines(3)
    assert s.append(first).stored == 3
    s.seal()
    second = lines(2, start=3)
    s.append(second)
    s.seal()
    assert s.pending_events == 5
    paths = s.replayable()
    assert len(paths) == 2
    read = []
    for path in paths:
        segment = s.claim(path)
        assert segment is not None
        read.extend(segment.read().lines)
        segment.finish()
    assert read == first + second
    assert s.pending_events == 0
    assert s.pending_bytes == 0
    assert s.replayable() == []


def test_event_cap_stores_a_prefix_and_reports_the_rest(spill_dir: Path) -> None:
    s = store(spill_dir, max_events=5)
    result = s.append(lines(8))
    assert (result.stored, result.over_cap) == (5, 3)
    assert s.append(lines(1)).over_cap == 1
    assert s.pending_events == 5


def test_byte_cap(spill_dir: Path) -> None:
    batch = lines(10)
    size = sum(len(line) + 1 for line in batch[:4])
    s = store(spill_dir, max_bytes=size)
    result = s.append(batch)
    assert result.stored == 4
    assert s.pending_bytes == size
    on_disk = sum(p.stat().st_size for p in spill_dir.iterdir())
    assert on_disk == size


def test_segments_rotate_at_their_size(spill_dir: Path) -> None:
    s = store(spill_dir, segment_bytes=2000)
    for i in range(10):
        s.append(lines(5, start=i * 5))
    s.seal()
    assert len(s.replayable()) > 3
    assert s.pending_events == 50


def test_torn_last_line_is_skipped_and_counted(spill_dir: Path) -> None:
    s = store(spill_dir)
    good = lines(3)
    s.append(good)
    s.seal()
    (path,) = s.replayable()
    # A crash inside write(): half of a fourth line, no newline.
    half = lines(1, start=9)[0][:40]
    with path.open("ab") as handle:
        handle.write(half)
    reopened = store(spill_dir)
    assert reopened.pending_events == 4  # the torn tail counts until read
    segment = reopened.claim(path)
    assert segment is not None
    contents = segment.read()
    assert contents.lines == good
    assert contents.torn == 1
    assert contents.corrupt == 0
    segment.finish()
    assert reopened.pending_events == 0


def test_corrupt_and_invalid_lines_are_told_apart(spill_dir: Path) -> None:
    s = store(spill_dir)
    good = lines(2)
    bad_json = b'{"traceId": "abc", broken'
    invalid = msgspec.json.encode({"traceId": "not-hex"})
    s.append([good[0], bad_json, invalid, good[1]])
    s.seal()
    (path,) = s.replayable()
    segment = s.claim(path)
    assert segment is not None
    contents = segment.read()
    assert contents.lines == good
    assert (contents.torn, contents.corrupt, contents.invalid) == (0, 1, 1)
    segment.release()


def test_active_segment_is_locked_against_other_claimers(spill_dir: Path) -> None:
    writer = store(spill_dir)
    writer.append(lines(2))
    other = store(spill_dir)
    (path,) = other.replayable()
    assert other.claim(path) is None  # still being written by `writer`
    writer.seal()
    segment = other.claim(path)
    assert segment is not None
    assert writer.claim(path) is None  # claimed by `other`
    segment.release()


def test_keep_rewrites_only_what_is_left(spill_dir: Path) -> None:
    s = store(spill_dir)
    batch = lines(6)
    s.append(batch)
    s.seal()
    (path,) = s.replayable()
    segment = s.claim(path)
    assert segment is not None
    segment.read()
    segment.keep(batch[4:])
    assert s.pending_events == 2
    again = s.claim(path)
    assert again is not None
    assert again.read().lines == batch[4:]
    again.finish()
    assert not path.exists()


def test_a_second_store_counts_what_an_earlier_run_left(spill_dir: Path) -> None:
    first = store(spill_dir)
    first.append(lines(7))
    first.close()
    second = store(spill_dir, max_events=10)
    assert second.pending_events == 7
    assert second.append(lines(5)).stored == 3


def test_deleted_segment_cannot_be_claimed(spill_dir: Path) -> None:
    s = store(spill_dir)
    s.append(lines(1))
    s.seal()
    (path,) = s.replayable()
    os.unlink(path)
    assert s.claim(path) is None


def test_a_full_store_recounts_after_another_process_replayed(spill_dir: Path) -> None:
    writer = store(spill_dir, max_events=5)
    assert writer.append(lines(5)).stored == 5
    writer.seal()
    # Another process (a second store on the same folder) replays and deletes it.
    other = store(spill_dir)
    for path in other.replayable():
        segment = other.claim(path)
        assert segment is not None
        segment.read()
        segment.finish()
    writer._last_rescan = 0.0  # as if the last recount was long ago
    assert writer.append(lines(3, start=5)).stored == 3
    assert writer.pending_events == 3


def test_a_removed_folder_is_made_again(spill_dir: Path) -> None:
    s = store(spill_dir)
    s.append(lines(1))
    s.seal()
    shutil.rmtree(spill_dir)
    assert s.append(lines(1, start=1)).stored == 1
