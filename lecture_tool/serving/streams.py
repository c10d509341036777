"""The event streams of the open pages, all in the server's event loop: each page has a queue
of messages to send, and one message is put in every queue at once (a rebuild, the presenter's
slide, a presenter's broadcast). A stream costs a queue and a waiting coroutine, no thread: a
lecture hall of followers is cheap.
"""
from __future__ import annotations

import asyncio
import json

# A page that has not taken this many messages is not reading them (a sleeping laptop, a
# client that never reads): it is dropped rather than kept growing. The browser reconnects
# by itself when it wakes up, and is told the present state then.
BACKLOG = 256


class Streams:
    """Every open event stream, and the presenter's last position on each page."""

    def __init__(self) -> None:
        self.queues: set[asyncio.Queue] = set()
        self.positions: dict[str, str] = {}  # page -> its last position message

    def open(self, page: str) -> asyncio.Queue:
        """A new stream's queue, with what it needs to know at once (where the presenter is)."""
        queue: asyncio.Queue = asyncio.Queue(BACKLOG)
        if page in self.positions:
            queue.put_nowait(("position", self.positions[page]))
        self.queues.add(queue)
        return queue

    def close(self, queue: asyncio.Queue) -> None:
        self.queues.discard(queue)

    def send(self, event: str, data: str) -> None:
        """Put one message (a single line of JSON) in every stream's queue."""
        for queue in list(self.queues):
            try:
                queue.put_nowait((event, data))
            except asyncio.QueueFull:
                self.queues.discard(queue)
                queue.get_nowait()
                queue.put_nowait(None)  # ends that stream

    def position(self, page: str, index: int) -> None:
        data = json.dumps({"page": page, "index": index})
        if self.positions.get(page) == data:
            return  # the presenter's other windows say it too
        self.positions[page] = data
        self.send("position", data)

    def end(self) -> None:
        """Tell every stream to finish: the server is stopping."""
        for queue in list(self.queues):
            while queue.full():
                queue.get_nowait()
            queue.put_nowait(None)
        self.queues.clear()
