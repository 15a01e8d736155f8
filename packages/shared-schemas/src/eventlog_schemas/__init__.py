"""eventlog_schemas."""

__all__: list[str] = []
