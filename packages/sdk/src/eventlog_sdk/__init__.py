"""eventlog_sdk."""

__all__: list[str] = []
