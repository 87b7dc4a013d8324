#!/usr/bin/env python3
"""tests/lib/faultproxy.py: a TCP proxy that breaks an IMAP session on purpose.

    faultproxy.py --target PORT --port-file FILE --transcript FILE --fault SPEC [--raw]

Listens on 127.0.0.1 (a free port, written to FILE once listening) and
forwards each connection to 127.0.0.1:PORT, applying SPEC to every
connection.  Counts and offsets below are per connection.

--raw: the target speaks TLS from its first byte (implicit TLS): the proxy
never looks for lines.

Byte-level faults (they work on TLS too, where the proxy sees ciphertext;
"bytes" are server-to-client unless said otherwise):
  pass            forward untouched (the clean run; its transcript gives
                  the sizes to pick random faults from)
  close:N         after N bytes, close both sides
  reset:N         after N bytes, reset the client's connection (RST)
  stall:N         after N bytes, forward nothing more either way; keep the
                  sockets open until the client gives up
  delay:MS        hold every server chunk MS milliseconds (must still work)
  garbage:N       after N bytes, send 64 random bytes, then close
  flip:N          flip the bits of the byte at offset N, go on
  cclose:N        after N client-to-server bytes, close both sides
Protocol-level faults (plaintext IMAP only; the server stream is cut into
"units": a line, or a line announcing a literal with the literal):
  bye:K           after K units, inject "* BYE" and close
  no:K / bad:K    the K-th tagged server response becomes "TAG NO ..." /
                  "TAG BAD ..."
  cutlit:K        at the K-th literal, send half of it, then close
  dropfetch:K     leave out the FETCH response holding the K-th literal and
                  answer that command NO (what a server says when it could
                  not read a message); the session goes on
  starttls-no     answer the client's STARTTLS with NO itself
  strip-starttls  remove STARTTLS from every capability list the server sends
After a successful STARTTLS the proxy only counts bytes (raw mode).

The transcript gets "C: line" / "S: line" for plaintext lines (it can hold
credentials: it stays in the test's private temp dir) and, per connection,
"# conn N close s2c_bytes=.. c2s_bytes=.. units=.. tagged=.. literals=..
why=..".  Exit with SIGTERM.
"""
import argparse
import os
import re
import select
import signal
import socket
import struct
import sys
import threading
import time

LIT_RE = re.compile(rb"\{(\d+)\+?\}\r\n$")
TAGGED_RE = re.compile(rb"^([A-Za-z0-9.]+) (OK|NO|BAD)\b", re.I)
STARTTLS_CMD_RE = re.compile(rb"^([A-Za-z0-9.]+) STARTTLS\r\n$", re.I)


class Stop(Exception):
    """The fault ends the connection; args[0] says why."""


class Session:
    """One proxied connection.  Runs in its own thread."""

    def __init__(self, n, client, server, kind, arg, log, raw):
        self.n, self.c, self.s = n, client, server
        self.kind, self.arg, self.log = kind, arg, log
        self.s2c = self.c2s = 0          # bytes forwarded
        self.units = self.tagged = self.literals = 0
        self.raw = raw or (kind not in LINE_FAULTS and kind != "pass")
        self.sbuf = b""                  # server bytes not yet forwarded (line mode)
        self.cbuf = b""
        self.need = 0                    # literal bytes still owed to the current unit
        self.starttls_tag = None
        self.stalled = False
        self.dropping = 0                # dropfetch: 1 literal, 2 its closing line
        self.no_next_tagged = False

    # --- output helpers ---
    def to_client(self, data):
        if self.kind == "flip" and self.s2c <= self.arg < self.s2c + len(data):
            i = self.arg - self.s2c
            data = data[:i] + bytes([data[i] ^ 0xFF]) + data[i + 1:]
        self.c.sendall(data)
        self.s2c += len(data)

    def note(self, who, data):
        if self.raw:
            return
        for line in data.split(b"\r\n"):
            if line:
                self.log("%s: %s" % (who, line[:300].decode("latin-1")))

    # --- byte-level faults on the server stream ---
    def server_raw(self, data):
        k, a = self.kind, self.arg
        if k == "delay":
            time.sleep(a / 1000.0)
        if k in ("close", "reset", "stall", "garbage") and self.s2c + len(data) >= a:
            head = data[:max(0, a - self.s2c)]
            if head:
                self.to_client(head)
            if k == "garbage":
                self.c.sendall(os.urandom(64))
            if k == "reset":
                self.c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            if k == "stall":
                self.stalled = True
                return
            raise Stop("%s after %d bytes" % (k, self.s2c))
        self.to_client(data)

    # --- line-level handling of the server stream ---
    def server_lines(self, data):
        self.sbuf += data
        while self.sbuf and not self.raw:
            if self.need:
                take = self.sbuf[:self.need]
                if self.kind == "cutlit" and self.literals == self.arg:
                    half = take[:max(1, self.cut_at - (self.lit_len - self.need))]
                    self.to_client(half)
                    raise Stop("literal %d cut after %d of %d bytes" %
                               (self.literals, self.cut_at, self.lit_len))
                if not self.dropping:
                    self.to_client(take)
                self.need -= len(take)
                if self.dropping and not self.need:
                    self.dropping = 2
                self.sbuf = self.sbuf[len(take):]
                continue
            nl = self.sbuf.find(b"\r\n")
            if nl < 0:
                return
            line, self.sbuf = self.sbuf[:nl + 2], self.sbuf[nl + 2:]
            self.server_unit(line)
        if self.raw and self.sbuf:
            buf, self.sbuf = self.sbuf, b""
            self.to_client(buf)

    def server_unit(self, line):
        m = LIT_RE.search(line)
        t = TAGGED_RE.match(line)
        if self.dropping == 2:           # the ")" closing the dropped FETCH
            self.dropping = 0
            self.no_next_tagged = True
            self.note("S", b"(dropped) " + line)
            return
        if m and self.kind == "dropfetch" and self.literals + 1 == self.arg:
            self.literals += 1
            self.need = self.lit_len = int(m.group(1))
            self.dropping = 1
            self.note("S", b"(dropped) " + line)
            return
        if t and not line.startswith(b"* "):
            self.tagged += 1
            if self.kind in ("no", "bad") and self.tagged == self.arg:
                line = b"%s %s [ALERT] fault injected\r\n" % (t.group(1), self.kind.upper().encode())
            if self.no_next_tagged:
                self.no_next_tagged = False
                line = b"%s NO Some messages could not be FETCHed (fault injected)\r\n" % t.group(1)
        if self.kind == "strip-starttls" and b"CAPABILITY" in line.upper():
            line = re.sub(rb"(?i) STARTTLS\b", b"", line)
        self.note("S", line)
        self.to_client(line)
        if m:
            self.literals += 1
            self.need = self.lit_len = int(m.group(1))
            self.cut_at = max(1, self.lit_len // 2)
        else:
            self.units += 1
        if t and self.starttls_tag and t.group(1) == self.starttls_tag:
            if t.group(2).upper() == b"OK":
                self.raw = True  # TLS from here on
            self.starttls_tag = None
        if self.kind == "bye" and self.units == self.arg and not self.need:
            self.to_client(b"* BYE fault injected\r\n")
            self.note("S", b"* BYE fault injected")
            raise Stop("BYE after %d units" % self.units)

    # --- the client stream ---
    def client_data(self, data):
        if self.kind == "cclose" and self.c2s + len(data) >= self.arg:
            raise Stop("client side closed after %d bytes" % self.c2s)
        if self.raw:
            self.s.sendall(data)
            self.c2s += len(data)
            return
        self.cbuf += data
        while True:
            nl = self.cbuf.find(b"\r\n")
            if nl < 0 or self.raw:
                break
            line, self.cbuf = self.cbuf[:nl + 2], self.cbuf[nl + 2:]
            self.note("C", line)
            m = STARTTLS_CMD_RE.match(line)
            if m and self.kind == "starttls-no":
                self.c.sendall(m.group(1) + b" NO [ALERT] STARTTLS refused by the proxy\r\n")
                self.log("S: %s NO (proxy)" % m.group(1).decode("latin-1"))
                continue
            if m:
                self.starttls_tag = m.group(1)
            self.s.sendall(line)
            self.c2s += len(line)
        if self.raw and self.cbuf:
            buf, self.cbuf = self.cbuf, b""
            self.s.sendall(buf)
            self.c2s += len(buf)

    def run(self):
        why = "eof"
        try:
            self.loop()
        except Stop as e:
            why = e.args[0]
        except OSError as e:
            why = "socket error: %s" % e
        finally:
            for sk in (self.c, self.s):
                try:
                    sk.close()
                except OSError:
                    pass
            self.log("# conn %d close s2c_bytes=%d c2s_bytes=%d units=%d tagged=%d "
                     "literals=%d why=%s" % (self.n, self.s2c, self.c2s, self.units,
                                             self.tagged, self.literals, why))

    def loop(self):
        socks = [self.c, self.s]
        while True:
            r, _, _ = select.select(socks, [], [], 1.0)
            if self.c in r:
                data = self.c.recv(65536)
                if not data:
                    return
                if not self.stalled:
                    self.client_data(data)
            if self.s in r:
                data = self.s.recv(65536)
                if not data:
                    if self.stalled:
                        socks = [self.c]
                        continue
                    return
                if self.stalled:
                    continue
                if self.raw:
                    self.server_raw(data)
                else:
                    self.server_lines(data)


LINE_FAULTS = ("bye", "no", "bad", "cutlit", "dropfetch", "starttls-no", "strip-starttls")
ARG_FAULTS = ("close", "reset", "stall", "delay", "garbage", "flip", "cclose",
              "bye", "no", "bad", "cutlit", "dropfetch")


def parse_fault(spec):
    kind, _, arg = spec.partition(":")
    if kind not in ARG_FAULTS + ("pass", "starttls-no", "strip-starttls"):
        raise SystemExit("faultproxy: unknown fault %r" % spec)
    if kind in ARG_FAULTS:
        if not arg.isdigit():
            raise SystemExit("faultproxy: %s needs a number" % kind)
        return kind, int(arg)
    return kind, 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--target", type=int, required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--transcript", required=True)
    ap.add_argument("--fault", default="pass")
    ap.add_argument("--raw", action="store_true",
                    help="the target speaks TLS from the first byte: never parse lines")
    o = ap.parse_args()
    kind, arg = parse_fault(o.fault)
    if o.raw and kind in LINE_FAULTS:
        raise SystemExit("faultproxy: %s needs plaintext IMAP, not --raw" % kind)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))

    lock = threading.Lock()
    tr = open(o.transcript, "a", buffering=1)

    def log(text):
        with lock:
            tr.write(text + "\n")

    lsock = socket.socket()
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(16)
    tmp = o.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % lsock.getsockname()[1])
    os.rename(tmp, o.port_file)
    log("# fault %s" % o.fault)
    n = 0
    while True:
        client, _ = lsock.accept()
        n += 1
        try:
            server = socket.create_connection(("127.0.0.1", o.target), timeout=10)
            server.settimeout(None)
        except OSError as e:
            log("# conn %d: cannot reach the server: %s" % (n, e))
            client.close()
            continue
        s = Session(n, client, server, kind, arg, log, o.raw)
        threading.Thread(target=s.run, daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
