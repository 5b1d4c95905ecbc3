"""Server-sent events decoder: sans-I/O and incremental.

Theory of operation
-------------------
The decoder is fed bytes as they were read (``feed``) and told when the stream ends
(``close``); it returns the events that became complete. It works in three layers,
as the specification describes them:

1. **Lines.** Bytes are split into lines at CR, LF or CRLF *before* any UTF-8
   decoding, so a multi-byte character split across two reads survives. A CR at the
   end of one read followed by an LF at the start of the next is one line end.
   (WHATWG "event stream interpretation": "Lines must be separated by either a U+000D
   CARRIAGE RETURN U+000A LINE FEED (CRLF) character pair, a single U+000A LINE FEED
   (LF) character, or a single U+000D CARRIAGE RETURN (CR) character.")
2. **Fields.** Each line is a comment (``:``), a field ``name: value`` (one leading
   space of the value removed), or a field name alone.
3. **Dispatch.** A blank line dispatches the event if its data buffer is not empty.

The common case (LF line ends only) is matched at C speed by one regular expression per
event (``event: name``, ``data: value``, blank line); any other line is taken one at a
time; only a read containing a CR takes the slower exact path. Every path gives the same
events and diagnostics, at the same offsets, however the body is cut into reads.

Deviations are recorded as :class:`kit.rules.Diagnostic` in ``diagnostics``; the
decoder never raises on bad input. Profiles differ in one point only: at end of
stream, the lenient profile dispatches a final event that lacks its closing blank
line (real providers send such streams), the strict profile discards it as the
specification says. Both report it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .rules import Diagnostic, diagnostic

__all__ = ["SSEDecoder", "SSEEvent", "decode"]

_BOM = b"\xef\xbb\xbf"
# One event in the form real streams send (`event: name` optional, one `data: value`, a blank
# line), or else any one line. LF line ends only: a body with a CR takes the exact path.
_STRAY_MAX = 1 << 16  # bytes of stray lines kept (SSEDecoder.stray)
_HOLD = 1 << 16  # most bytes of complete lines kept waiting for their event's blank line
_COMMON = re.compile(rb"(?:event: ([^\n]*)\n)?data: ([^\n]*)\n\n|([^\n]*)\n")


@dataclass(slots=True)
class SSEEvent:
    """One dispatched event.

    ``index`` is the event's 0-based number in the stream, ``offset`` the byte offset of
    its first field line and ``end`` the byte offset just past the CR or LF that ended the
    blank line which dispatched it (the point from which a consumer can act on it; for a
    CRLF, just past the CR, whether or not the LF has arrived yet).
    """

    data: str
    event: str = "message"
    id: str = ""
    retry: int | None = None
    index: int = 0
    offset: int = 0
    end: int = 0

    def __repr__(self) -> str:
        data = self.data if len(self.data) <= 60 else self.data[:57] + "..."
        name = "" if self.event == "message" else f" event={self.event!r}"
        return f"<SSEEvent #{self.index} @{self.offset}{name} data={data!r}>"


class SSEDecoder:
    """Incremental WHATWG event-stream decoder. ``feed(bytes) -> list[SSEEvent]``."""

    def __init__(self, *, profile: str = "lenient") -> None:
        self.profile = profile
        self.diagnostics: list[Diagnostic] = []
        self._buf = bytearray()
        self._base = 0  # absolute offset of _buf[0]
        self._skip_lf = False  # previous read ended in CR: a leading LF belongs to it
        self._bom_pending = True
        self._data: list[bytes] = []
        self._event = ""
        self._last_id = ""
        self._retry: int | None = None
        self._start: int | None = None  # offset of the current event's first field line
        self._count = 0
        self._closed = False
        self._plain = False  # True when feed() needs none of the checks above (the usual case)
        self._seen_cr = False
        self._seen_comment = False
        self._seen_nospace = False
        self._seen_multiline = False
        # lines that are no SSE field (ignored and reported), the first _STRAY_MAX bytes of them: Google
        # sends an error that interrupts a stream as bare JSON lines (the machine may read them at the end)
        self.stray: list[bytes] = []
        self._stray_size = 0

    # -- public API -----------------------------------------------------------------

    def feed(self, data: bytes) -> list[SSEEvent]:
        buf = self._buf
        if self._plain:  # the usual case, one test: not closed, no CR pending, BOM decided
            buf += data
        else:
            if self._closed:
                raise RuntimeError("SSEDecoder.feed() after close()")
            if not data:
                return []
            if self._skip_lf:
                self._skip_lf = False
                if data[:1] == b"\n":
                    data = data[1:]
                    self._base += 1
                    if not data:
                        return []
            buf += data
            if self._bom_pending:
                if len(buf) < 3 and _BOM.startswith(bytes(buf)):
                    return []  # could still be a BOM split across reads
                self._bom_pending = False
                if buf[:3] == _BOM:
                    del buf[:3]
                    self._base += 3
                    self._note("sse-bom", "leading UTF-8 byte order mark stripped", self._base - 3)
            self._plain = True
        out: list[SSEEvent] = []
        # Between feeds the buffer holds what follows the last blank line: no CR, and complete
        # lines only while they are few (up to _HOLD bytes), so an event that arrives in
        # several reads is matched whole once its blank line is in. Only the new bytes are
        # searched, so small reads of a long line or event stay linear.
        if b"\r" in data:
            self._exact_lines(out, final=False)
            return out
        if b"\n" not in data:
            return out
        since = len(buf) - len(data) - 1
        stop = buf.rfind(b"\n\n", since if since > 0 else 0) + 2
        if stop < 2:
            if len(buf) <= _HOLD:
                return out
            stop = buf.rfind(b"\n") + 1
        base = self._base
        self._lf_lines(buf, stop, base, out)
        del buf[:stop]
        self._base = base + stop
        return out

    def _lf_lines(self, data: bytes, stop: int, base: int, out: list[SSEEvent]) -> None:
        """The complete lines of ``data[:stop]`` (LF line ends only; ``data[0]`` is at offset
        ``base``). The events real streams are made of (an optional ``event: name`` line, one
        ``data: value`` line, a blank line) match one regular expression and are built at
        once when no other field of the current event came before them; every other line
        goes through ``_line_at``, one at a time."""
        for m in _COMMON.finditer(data, 0, stop):
            name, value, line = m.groups()
            if line is None and self._start is None:
                try:
                    text = value.decode("utf-8")
                    event = name.decode("utf-8") if name else "message"
                except UnicodeDecodeError:
                    pass  # the exact path below reports it
                else:
                    start = m.start()
                    out.append(SSEEvent(text, event, self._last_id, None, self._count, base + start, base + m.end()))
                    self._count += 1
                    continue
            at, end = m.span()
            if line is not None:
                self._line_at(line, base + at, base + end, out)
                continue
            for line in m.group(0).split(b"\n")[:-1]:  # the common form after other fields of its event
                self._line_at(line, base + at, base + at + len(line) + 1, out)
                at += len(line) + 1

    def _line_at(self, line: bytes, pos: int, end: int, out: list[SSEEvent]) -> None:
        """One line; the three lines real streams are made of inline, the rest in ``_line``."""
        if not line:
            if self._data:
                self._dispatch(out, end)
            else:
                self._reset_event()
        elif line[:6] == b"data: " and not self._data:
            if self._start is None:
                self._start = pos
            self._data.append(line[6:])
        elif line[:7] == b"event: " and self._start is None:
            try:
                self._event = line[7:].decode("utf-8")
                self._start = pos
            except UnicodeDecodeError:
                self._line(line, pos, end, out)
        else:
            self._line(line, pos, end, out)

    def close(self) -> list[SSEEvent]:
        """End of stream: process what is left, report an unterminated final event."""
        if self._closed:
            return []
        self._closed = True
        self._plain = False
        out: list[SSEEvent] = []
        if self._bom_pending and self._buf:
            self._bom_pending = False
        if b"\r" in self._buf:
            self._exact_lines(out, final=True)
        if self._buf:
            data = bytes(self._buf)
            self._buf.clear()
            last = data.rfind(b"\n") + 1
            if last:
                self._lf_lines(data, last, self._base, out)
                self._base += last
            if last < len(data):
                pos = self._base
                self._base += len(data) - last
                self._line(data[last:], pos, self._base, out)
        if self._data:
            at = self._start if self._start is not None else self._base
            if self.profile == "strict":
                self._note("sse-final-event-unterminated",
                           "stream ended inside an event (no closing blank line); event discarded", at)
                self._reset_event()
            else:
                self._note("sse-final-event-unterminated",
                           "stream ended inside an event (no closing blank line); event dispatched", at)
                self._dispatch(out, self._base)
        return out

    # -- internals --------------------------------------------------------------------

    def _note(self, rule: str, message: str, offset: int | None, event: int | None = None) -> None:
        self.diagnostics.append(diagnostic(rule, message, profile=self.profile, event=event, offset=offset))

    def _exact_lines(self, out: list[SSEEvent], *, final: bool) -> None:
        """Split the buffer at CR, LF or CRLF (the slow, exact path)."""
        buf = self._buf
        pos = 0
        n = len(buf)
        if not self._seen_cr:
            self._seen_cr = True  # reported where the first CR is, however the body was cut
            self._note("sse-line-endings", "CR or CRLF line ends", self._base + buf.find(b"\r"))
        base = self._base
        while pos < n:
            lf = buf.find(b"\n", pos)
            # the event Google's CRLF streams are made of, `data: VALUE` CRLF CRLF with no other
            # field before it, built at once (as _lf_lines does for LF); anything else line by line
            if (lf > pos and buf[lf - 1] == 0x0D and buf[lf + 1:lf + 3] == b"\r\n" and self._start is None
                    and buf.startswith(b"data: ", pos) and buf.find(b"\r", pos, lf - 1) < 0):
                try:
                    text = buf[pos + 6:lf - 1].decode("utf-8")
                except UnicodeDecodeError:
                    pass  # the line path reports it
                else:
                    out.append(SSEEvent(text, "message", self._last_id, None, self._count, base + pos, base + lf + 2))
                    self._count += 1
                    pos = lf + 3
                    continue
            cr = buf.find(b"\r", pos, lf if lf >= 0 else n)
            if cr >= 0:
                end, nxt = cr, cr + 1
                if nxt < n:
                    if buf[nxt] == 0x0A:
                        nxt += 1
                elif not final:
                    self._skip_lf = True  # an LF may open the next read
                    self._plain = False
            elif lf >= 0:
                end, nxt = lf, lf + 1
            else:
                break
            self._line(bytes(buf[pos:end]), self._base + pos, self._base + end + 1, out)
            pos = nxt
        del buf[:pos]
        self._base += pos

    def _line(self, line: bytes, pos: int, end: int, out: list[SSEEvent]) -> None:
        if not line:
            if self._data:
                self._dispatch(out, end)
            else:
                self._reset_event()
            return
        if line[:5] == b"data:":
            if line[5:6] == b" ":
                value = line[6:]
            else:
                value = line[5:]
                if not self._seen_nospace:
                    self._seen_nospace = True
                    self._note("sse-field-space", "`data:` without a space after the colon", pos)
            if self._start is None:
                self._start = pos
            elif self._data and not self._seen_multiline:
                self._seen_multiline = True
                self._note("sse-multiline-data", "event with several `data` lines (joined with LF)", pos)
            self._data.append(value)
            return
        if line[:1] == b":":
            if not self._seen_comment:
                self._seen_comment = True
                self._note("sse-comments", "comment line (keep-alive) ignored", pos)
            return
        name, colon, value = line.partition(b":")
        if colon and value[:1] == b" ":
            value = value[1:]
        if self._start is None:
            self._start = pos
        if name == b"event":
            self._event = self._text(value, pos)
        elif name == b"id":
            if b"\x00" not in value:  # an id containing NUL is ignored
                self._last_id = self._text(value, pos)
        elif name == b"retry":
            if value.isdigit():
                try:
                    self._retry = int(value)
                except ValueError:  # more digits than int() converts (sys.get_int_max_str_digits)
                    self._note("sse-unknown-field", f"`retry` value of {len(value)} digits is too long; ignored", pos)
            else:
                self._note("sse-unknown-field", f"`retry` value {value[:40]!r} is not all digits; ignored", pos)
        elif name == b"data":  # the field name alone: empty value
            self._data.append(b"")
        else:
            shown = line[:40].decode("utf-8", "replace")
            self._note("sse-unknown-field", f"line with unknown field name {name[:20].decode('utf-8', 'replace')!r} ignored: {shown!r}", pos)
            if self._stray_size < _STRAY_MAX:  # kept for a wire API that sends some payloads so (Gemini's errors)
                self.stray.append(line)
                self._stray_size += len(line)

    def _text(self, raw: bytes, pos: int) -> str:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            self._note("sse-utf8-invalid", f"invalid UTF-8 ({exc.reason}); decoded with U+FFFD", pos + exc.start)
            return raw.decode("utf-8", "replace")

    def _dispatch(self, out: list[SSEEvent], end: int) -> None:
        data = self._data
        raw = data[0] if len(data) == 1 else b"\n".join(data)
        start = self._start if self._start is not None else end
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            self._note("sse-utf8-invalid", f"invalid UTF-8 in data ({exc.reason}); decoded with U+FFFD",
                       start, event=self._count)
            text = raw.decode("utf-8", "replace")
        ev = SSEEvent(text, self._event or "message", self._last_id, self._retry, self._count, start, end)
        self._count += 1
        out.append(ev)
        self._data = []
        self._event = ""
        self._retry = None
        self._start = None

    def _reset_event(self) -> None:
        if self._event or self._retry is not None:
            self._note("sse-event-without-data", "event block without data not dispatched", self._start)
        self._data = []
        self._event = ""
        self._retry = None
        self._start = None


def decode(body: bytes, *, reads: list[bytes] | None = None, profile: str = "lenient") -> tuple[list[SSEEvent], list[Diagnostic]]:
    """Decode a whole body (optionally as the given reads). A convenience for tests and tools."""
    dec = SSEDecoder(profile=profile)
    events: list[SSEEvent] = []
    for chunk in reads if reads is not None else [body]:
        events.extend(dec.feed(chunk))
    events.extend(dec.close())
    return events, dec.diagnostics
