#!/usr/bin/env python3
"""tests/lib/fakeimap.py: a scripted IMAP server for faults real servers won't make.

    fakeimap.py --port-file F --mode MODE [--messages N] [--tls implicit|none]
                [--cert PEM --key PEM] [--transcript FILE] [--mode-file F]

Listens on 127.0.0.1 (a free port, written to --port-file), serves one INBOX
of N small messages and misbehaves as MODE says:

  normal          a small but correct server (CAPABILITY STARTTLS IDLE ...)
  nostarttls      plain IMAP without STARTTLS in CAPABILITY
  malformed       UID FETCH replies are syntactically broken
  hugeliteral     UID FETCH announces a {999999999999} literal, then stalls
  dropliteral     UID FETCH announces {4000}, sends 100 bytes, closes
  stall           greets, then never answers anything
  garbage         greets, then answers every command with binary junk
  bye             greeting is * BYE
  permflags       greeting is * OK [PERMANENTFLAGS (] x (crashes libetpan)
  trickle         UID FETCH answers with an endless line, one byte at a time
  idle            normal, and 1 s into IDLE reports a new message (EXISTS)
  badfolder       LIST also shows "Broken", whose STATUS is refused (NO)
  fetchgap        UID FETCH leaves out UID 2 and ends with NO (a partial batch)
  fetchno         UID FETCH returns nothing and ends with NO
  inject          STARTTLS reply followed by injected plaintext (CVE-2011-0411 style)
  preauth         greeting is * PREAUTH (must not skip STARTTLS)
  badlogin        LOGIN is refused with NO [AUTHENTICATIONFAILED]
  xlist           old Gmail: LIST without special-use, XLIST with \\AllMail etc.
  logindisabled   CAPABILITY says LOGINDISABLED and offers no AUTH= mechanism
  gmail           as Google documents Gmail (developers.google.com/gmail/imap/
                  imap-extensions): X-GM-EXT-1, special-use on every LIST,
                  [Gmail]/All Mail \\All and labels as folders: every folder
                  serves the same messages (one message, many labels)
  outlook         as Microsoft documents Exchange Online: AUTH=XOAUTH2 only,
                  LOGIN and AUTHENTICATE PLAIN refused ("basic auth off");
                  XOAUTH2 accepted
  plaincont       LOGINDISABLED, AUTH=PLAIN without SASL-IR: AUTHENTICATE PLAIN
                  answered "+", the response (never logged) checked for the
                  shape authzid NUL authcid NUL password
  greetunavail    greeting is * BYE [UNAVAILABLE] Too many simultaneous connections
  greettoomany    greeting is * BYE Too many simultaneous connections (no code)
  loginunavail    LOGIN is refused with NO [UNAVAILABLE] Too many simultaneous ...
  examinequota    EXAMINE is refused with NO [OVERQUOTA]
  fetchlimit      UID FETCH is refused with NO [LIMIT] Account exceeded command ...
  fetchbye        UID FETCH is answered * BYE [UNAVAILABLE] ... try again in 2
                  minutes, then the connection closes

--mode-file F: when F exists, its first line is the mode of each new
connection (a test switches a running server); each connection is logged
to the transcript as "(connection, mode M, at UNIX-SECONDS)".

Every command line received is appended to --transcript (so a test can
prove, e.g., that no LOGIN was ever sent).  Test data only: no secrets.
"""
import argparse
import os
import re
import socket
import ssl
import sys
import threading
import time

CAPS = "IMAP4rev1 LITERAL+ IDLE SPECIAL-USE"

# Throttling and limits (docs/servers.md): the greeting, LOGIN, EXAMINE or
# UID FETCH refused as providers and RFC 5530 describe.
GREET_BYE = {
    "greetunavail": "[UNAVAILABLE] Too many simultaneous connections",
    "greettoomany": "Too many simultaneous connections",
}
LOGIN_NO = {
    "badlogin": "NO [AUTHENTICATIONFAILED] Authentication failed.",
    "loginunavail": "NO [UNAVAILABLE] Too many simultaneous connections. (Failure)",
}
EXAMINE_NO = {"examinequota": "NO [OVERQUOTA] Account is over its quota"}
FETCH_NO = {"fetchlimit": "NO [LIMIT] Account exceeded command or bandwidth limits"}
FETCH_BYE = {"fetchbye": "[UNAVAILABLE] System busy, try again in 2 minutes"}


def make_messages(n):
    msgs = []
    for i in range(1, n + 1):
        hdr = ("From: Sender %d <s%d@fake.example>\r\n"
               "To: maya@lindqvist.example\r\n"
               "Subject: fake message %d\r\n"
               "Message-ID: <fake%d@fake.example>\r\n"
               "Date: Mon, 1 Jan 2024 10:%02d:00 +0000\r\n\r\n" % (i, i, i, i, i % 60))
        msgs.append((i, hdr.encode()))
    return msgs


def parse_set(spec, maxuid):
    """IMAP sequence set over UIDs -> set of ints (* = maxuid)."""
    out = set()
    for part in spec.split(","):
        if ":" in part:
            a, b = part.split(":", 1)
        else:
            a = b = part
        a = maxuid if a == "*" else int(a)
        b = maxuid if b == "*" else int(b)
        lo, hi = min(a, b), max(a, b)
        out.update(range(lo, min(hi, maxuid) + 1))  # no UID above maxuid exists
    return out


class Conn:
    def __init__(self, srv, sock):
        self.srv = srv
        self.sock = sock
        self.buf = b""
        self.msgs = make_messages(srv.args.messages)
        self.selected = False
        self.mode = srv.mode_now()
        srv.log(b"(connection, mode %s, at %.3f)" % (self.mode.encode(), time.time()))

    # -- I/O --
    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.sock.sendall(data)

    def readline(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise EOFError
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def read_command(self):
        """One command line with any {n} literals folded in."""
        line = self.readline()
        while True:
            m = re.search(rb"\{(\d+)(\+?)\}$", line)
            if not m:
                break
            n = int(m.group(1))
            if not m.group(2):
                self.send("+ go ahead\r\n")
            while len(self.buf) < n:
                chunk = self.sock.recv(4096)
                if not chunk:
                    raise EOFError
                self.buf += chunk
            lit, self.buf = self.buf[:n], self.buf[n:]
            line = line[:m.start()] + b'"' + lit + b'"' + self.readline()
        self.srv.log(line)
        return line.decode("latin-1")

    # -- session --
    def greet(self):
        mode = self.mode
        if mode == "bye":
            self.send("* BYE not today\r\n")
            return False
        if mode in GREET_BYE:
            self.send("* BYE %s\r\n" % GREET_BYE[mode])
            return False
        if mode == "preauth":
            self.send("* PREAUTH welcome, no login needed\r\n")
            return True
        if mode == "permflags":
            self.send("* OK [PERMANENTFLAGS (] x\r\n")
            return True
        self.send("* OK fakeimap ready\r\n")
        return True

    def caps(self):
        c = CAPS
        if self.mode == "xlist":
            c += " XLIST"
        if self.mode == "logindisabled":
            c += " LOGINDISABLED"
        if self.mode == "plaincont":
            c += " LOGINDISABLED AUTH=PLAIN"
        if self.mode == "gmail":
            c += " X-GM-EXT-1 XLIST ID AUTH=XOAUTH2 AUTH=PLAIN SASL-IR"
        if self.mode == "outlook":
            c += " AUTH=XOAUTH2 SASL-IR"
        if self.mode != "nostarttls" and not self.tls_active():
            c += " STARTTLS"
        return c

    def tls_active(self):
        return isinstance(self.sock, ssl.SSLSocket)

    def run(self):
        if not self.greet():
            time.sleep(0.2)
            return
        mode = self.mode
        while True:
            line = self.read_command()
            if mode == "stall":
                continue
            if mode == "garbage":
                self.send(b"\x00\xff\xfe garbage \x01\x02 ((( }{ \r\n\x80\x81\r\n")
                continue
            parts = line.split(" ", 2)
            if len(parts) < 2:
                self.send("* BAD no tag\r\n")
                continue
            tag, cmd = parts[0], parts[1].upper()
            rest = parts[2] if len(parts) > 2 else ""
            if cmd == "UID":
                sub = rest.split(" ", 1)
                cmd = "UID " + sub[0].upper()
                rest = sub[1] if len(sub) > 1 else ""
            if not self.dispatch(tag, cmd, rest):
                return

    def dispatch(self, tag, cmd, rest):
        h = {
            "CAPABILITY": self.c_capability, "LOGIN": self.c_login,
            "AUTHENTICATE": self.c_authenticate, "LIST": self.c_list,
            "STATUS": self.c_status, "EXAMINE": self.c_examine,
            "SELECT": self.c_examine, "UID SEARCH": self.c_search,
            "UID FETCH": self.c_fetch, "STARTTLS": self.c_starttls,
            "IDLE": self.c_idle, "NOOP": self.c_noop, "XLIST": self.c_xlist,
        }.get(cmd)
        if cmd == "LOGOUT":
            self.send("* BYE bye\r\n%s OK LOGOUT done\r\n" % tag)
            return False
        if h is None:
            self.send("%s BAD unknown command\r\n" % tag)
            return True
        return h(tag, rest) is not False

    def c_noop(self, tag, rest):
        self.send("%s OK NOOP\r\n" % tag)

    def c_capability(self, tag, rest):
        self.send("* CAPABILITY %s\r\n%s OK done\r\n" % (self.caps(), tag))

    def c_login(self, tag, rest):
        if self.mode == "outlook":
            self.send("%s NO LOGIN failed.\r\n" % tag)
            return
        if self.mode in LOGIN_NO:
            self.send("%s %s\r\n" % (tag, LOGIN_NO[self.mode]))
            return
        self.send("%s OK [CAPABILITY %s] logged in\r\n" % (tag, CAPS))

    def c_authenticate(self, tag, rest):
        import base64
        mech = rest.split(" ")[0].upper()
        if self.mode == "outlook" and mech != "XOAUTH2":
            self.send("%s NO AUTHENTICATE failed.\r\n" % tag)
            return
        if self.mode == "outlook":
            return self.send("%s OK AUTHENTICATE completed.\r\n" % tag)
        if self.mode != "plaincont" or mech != "PLAIN":
            return self.c_login(tag, rest)  # XOAUTH2 and the rest: as LOGIN
        self.send("+ \r\n")
        try:
            parts = base64.b64decode(self.readline(), validate=True).split(b"\0")
        except ValueError:
            parts = []
        ok = len(parts) == 3 and parts[1] == b"u" and len(parts[2]) > 0
        self.srv.log(b"(continuation: PLAIN response %s)" % (b"well-formed" if ok else b"malformed"))
        if not ok:
            self.send("%s NO [AUTHENTICATIONFAILED] bad response\r\n" % tag)
            return
        self.send("%s OK [CAPABILITY %s] logged in\r\n" % (tag, CAPS))

    def c_xlist(self, tag, rest):
        self.send('* XLIST (\\HasNoChildren \\Inbox) "/" INBOX\r\n'
                  '* XLIST (\\Noselect \\HasChildren) "/" "[Gmail]"\r\n'
                  '* XLIST (\\HasNoChildren \\AllMail) "/" "[Gmail]/All Mail"\r\n'
                  '* XLIST (\\HasNoChildren \\Sent) "/" "[Gmail]/Sent Mail"\r\n'
                  '* XLIST (\\HasNoChildren \\Spam) "/" "[Gmail]/Spam"\r\n'
                  '* XLIST (\\HasNoChildren) "/" "Work"\r\n'
                  '%s OK XLIST done\r\n' % tag)

    def c_list(self, tag, rest):
        if self.mode == "gmail":
            self.send('* LIST (\\HasNoChildren) "/" "INBOX"\r\n'
                      '* LIST (\\HasChildren \\Noselect) "/" "[Gmail]"\r\n'
                      '* LIST (\\All \\HasNoChildren) "/" "[Gmail]/All Mail"\r\n'
                      '* LIST (\\HasNoChildren \\Sent) "/" "[Gmail]/Sent Mail"\r\n'
                      '* LIST (\\HasNoChildren \\Junk) "/" "[Gmail]/Spam"\r\n'
                      '* LIST (\\Flagged \\HasNoChildren) "/" "[Gmail]/Starred"\r\n'
                      '* LIST (\\HasNoChildren \\Important) "/" "[Gmail]/Important"\r\n'
                      '* LIST (\\HasNoChildren) "/" "Work"\r\n'
                      '%s OK Success\r\n' % tag)
            return
        if self.mode == "xlist":
            self.send('* LIST (\\HasNoChildren) "/" INBOX\r\n'
                      '* LIST (\\Noselect \\HasChildren) "/" "[Gmail]"\r\n'
                      '* LIST (\\HasNoChildren) "/" "[Gmail]/All Mail"\r\n'
                      '* LIST (\\HasNoChildren) "/" "[Gmail]/Sent Mail"\r\n'
                      '* LIST (\\HasNoChildren) "/" "[Gmail]/Spam"\r\n'
                      '* LIST (\\HasNoChildren) "/" "Work"\r\n'
                      '%s OK LIST done\r\n' % tag)
            return
        if self.mode == "badfolder":
            self.send('* LIST () "/" Broken\r\n')
        if self.mode in FETCH_NO:
            self.send('* LIST (\\HasNoChildren) "/" Archive\r\n')
        if self.mode == "hugelist":
            self.send('* LIST () "/" {999999999999}\r\nINBOX\r\n')
            time.sleep(30)
            return False
        self.send('* LIST (\\HasNoChildren) "/" INBOX\r\n'
                  '* LIST (\\HasNoChildren \\Trash) "/" Trash\r\n'
                  '%s OK LIST done\r\n' % tag)

    def state(self):
        n = len(self.msgs)
        return n, (self.msgs[-1][0] + 1 if n else 1), 42

    def c_status(self, tag, rest):
        n, uidnext, uv = self.state()
        if rest.startswith('"'):
            box = '"%s"' % rest[1:].split('"', 1)[0]
        else:
            box = rest.split(" ", 1)[0]
        if box.strip('"') == "Broken":
            self.send("%s NO [SERVERBUG] cannot open Broken\r\n" % tag)
            return
        self.send("* STATUS %s (MESSAGES %d UIDNEXT %d UIDVALIDITY %d)\r\n%s OK STATUS\r\n"
                  % (box, n, uidnext, uv, tag))

    def c_examine(self, tag, rest):
        if self.mode in EXAMINE_NO:
            self.send("%s %s\r\n" % (tag, EXAMINE_NO[self.mode]))
            return
        n, uidnext, uv = self.state()
        self.selected = True
        self.send("* %d EXISTS\r\n* 0 RECENT\r\n* FLAGS (\\Seen)\r\n"
                  "* OK [UIDVALIDITY %d] v\r\n* OK [UIDNEXT %d] n\r\n"
                  "%s OK [READ-ONLY] EXAMINE done\r\n" % (n, uv, uidnext, tag))

    def c_search(self, tag, rest):
        m = re.match(r"UID (\S+)", rest, re.I)
        maxuid = self.msgs[-1][0] if self.msgs else 0
        want = parse_set(m.group(1), maxuid) if m else set()
        uids = [str(u) for u, _ in self.msgs if u in want]
        self.send("* SEARCH %s\r\n%s OK SEARCH done\r\n" % (" ".join(uids), tag))

    def c_fetch(self, tag, rest):
        mode = self.mode
        m = re.match(r"(\S+) \((.*)\)$", rest)
        sect = re.search(r"BODY\.PEEK\[([^\]]*)\]", rest)
        if not m or not sect:
            self.send("%s BAD fetch syntax\r\n" % tag)
            return
        section = sect.group(1)
        if mode == "malformed":
            self.send("* 1 FETCH (UID 1 BODY[%s] {12}\r\nshort)\r\n* 2 FETCH (UID ((( \"\r\n"
                      "%s OK FETCH done\r\n" % (section, tag))
            return
        if mode == "hugeliteral":
            self.send("* 1 FETCH (UID 1 BODY[%s] {999999999999}\r\nFrom: x\r\n" % section)
            time.sleep(30)
            return False
        if mode == "dropliteral":
            self.send(("* 1 FETCH (UID 1 BODY[%s] {4000}\r\n" % section).encode() + b"X" * 100)
            return False
        if mode == "trickle":
            self.send("* 1 FETCH (UID 1 BODY[%s] {5}\r\nab" % section)
            self.send("cde) ")
            while True:
                self.send("x")
                time.sleep(0.3)
        if mode in FETCH_NO:
            self.send("%s %s\r\n" % (tag, FETCH_NO[mode]))
            return
        if mode in FETCH_BYE:
            self.send("* BYE %s\r\n" % FETCH_BYE[mode])
            return False
        maxuid = self.msgs[-1][0] if self.msgs else 0
        want = parse_set(m.group(1), maxuid)
        for seq, (uid, hdr) in enumerate(self.msgs, 1):
            if mode == "fetchno" or (mode == "fetchgap" and uid == 2):
                continue
            if uid in want:
                self.send(("* %d FETCH (UID %d BODY[%s] {%d}\r\n"
                           % (seq, uid, section, len(hdr))).encode() + hdr + b")\r\n")
        if mode in ("fetchgap", "fetchno"):
            self.send("%s NO Some messages could not be FETCHed\r\n" % tag)
        else:
            self.send("%s OK FETCH done\r\n" % tag)

    def c_starttls(self, tag, rest):
        if self.mode == "nostarttls" or self.tls_active():
            self.send("%s BAD no STARTTLS here\r\n" % tag)
            return
        if self.mode == "inject":
            self.send("%s OK begin TLS\r\n* OK [CAPABILITY IMAP4rev1] injected\r\n" % tag)
        else:
            self.send("%s OK begin TLS\r\n" % tag)
        self.sock = self.srv.ctx.wrap_socket(self.sock, server_side=True)

    def c_idle(self, tag, rest):
        self.send("+ idling\r\n")
        if self.mode == "idle":
            time.sleep(1)
            uid = self.msgs[-1][0] + 1 if self.msgs else 1
            self.msgs += [(uid, make_messages(uid)[-1][1])]
            self.send("* OK still here\r\n")
            self.send("* %d EXISTS\r\n" % len(self.msgs))
        line = self.read_command()
        if line.upper() != "DONE":
            self.send("%s BAD expected DONE\r\n" % tag)
            return
        self.send("%s OK IDLE done\r\n" % tag)


class Server:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.ctx = None
        if args.cert:
            self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self.ctx.load_cert_chain(args.cert, args.key)

    def mode_now(self):
        """--mode, or the first line of --mode-file when it exists: a test
        switches a running server's behaviour for the next connections."""
        try:
            with open(self.args.mode_file) as f:
                return f.readline().strip() or self.args.mode
        except (TypeError, OSError):
            return self.args.mode

    def log(self, line):
        if not self.args.transcript:
            return
        with self.lock, open(self.args.transcript, "ab") as f:
            f.write(line + b"\n")

    def handle(self, sock):
        try:
            if self.args.tls == "implicit":
                sock = self.ctx.wrap_socket(sock, server_side=True)
            Conn(self, sock).run()
        except (EOFError, OSError, ssl.SSLError, UnicodeError, ValueError):
            pass
        finally:
            try:
                sock.close()
            except OSError:
                pass

    def serve(self):
        ls = socket.socket()
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind(("127.0.0.1", 0))
        ls.listen(16)
        tmp = self.args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % ls.getsockname()[1])
        os.rename(tmp, self.args.port_file)
        while True:
            s, _ = ls.accept()
            threading.Thread(target=self.handle, args=(s,), daemon=True).start()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--mode", default="normal")
    ap.add_argument("--messages", type=int, default=3)
    ap.add_argument("--tls", default="none", choices=["none", "implicit"])
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--transcript")
    ap.add_argument("--mode-file")
    args = ap.parse_args()
    if args.tls == "implicit" and not args.cert:
        sys.exit("--tls implicit needs --cert and --key")
    Server(args).serve()


if __name__ == "__main__":
    main()
