"""A loopback TCP proxy for fault tests: a database that is down, or that drops links.

proxy = TcpProxy("127.0.0.1", 5432)      # listens on proxy.port once started
await proxy.start()
await proxy.drop_connections()           # every open link breaks, new ones work
proxy.drop_answers(1)                    # the next answer is lost: its link breaks instead
await proxy.stop()                       # refuses connections (the database "is down")
"""

from __future__ import annotations

import asyncio

from support.api_server import free_port


class TcpProxy:
    """Forwards ``127.0.0.1:port`` to ``target_host:target_port``."""

    def __init__(self, target_host: str, target_port: int, *, port: int | None = None) -> None:
        self.target_host = target_host
        self.target_port = target_port
        self.port = port or free_port()
        self._server: asyncio.Server | None = None
        self._links: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self.accepted = 0
        self._flowing = asyncio.Event()
        self._flowing.set()
        self._answers_to_drop = 0
        self.answers_dropped = 0

    def drop_answers(self, count: int) -> None:
        """Break the link instead of delivering the next ``count`` answers (the request
        reached the server, which acted on it; the client never hears back)."""
        self._answers_to_drop = count

    def pause(self) -> None:
        """Hold every byte (open links and new connections hang, nothing is refused)."""
        self._flowing.clear()

    def resume(self) -> None:
        """Let bytes flow again."""
        self._flowing.set()

    async def start(self) -> None:
        """Listen (again) on the same port."""
        if self._server is None:
            self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)

    async def stop(self) -> None:
        """Stop listening and break every open link."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        await self.drop_connections()

    async def drop_connections(self) -> None:
        """Break every open link (as a database restart does); keep listening."""
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()
        # Aborted transports end both pipes of each link; wait for them (bounded).
        links = set(self._links)
        if links:
            await asyncio.wait(links, timeout=5)

    async def __aenter__(self) -> TcpProxy:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        await self._flowing.wait()
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(
                self.target_host, self.target_port
            )
        except OSError:
            writer.transport.abort()
            return
        self._writers.update((writer, upstream_writer))
        task = asyncio.current_task()
        assert task is not None
        self._links.add(task)
        try:
            await asyncio.gather(
                self._pipe(reader, upstream_writer),
                self._pipe(upstream_reader, writer, answers=True),
            )
        finally:
            for end in (writer, upstream_writer):
                end.transport.abort()
                self._writers.discard(end)
            self._links.discard(task)

    async def _pipe(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, answers: bool = False
    ) -> None:
        try:
            while data := await reader.read(65536):
                await self._flowing.wait()
                if answers and self._answers_to_drop > 0:
                    self._answers_to_drop -= 1
                    self.answers_dropped += 1
                    return  # the finally clause breaks the client's end
                writer.write(data)
                await writer.drain()
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.transport.abort()
