#!/usr/bin/env python3
"""bench/rawfetch.py HOST PORT CA USER PASSFILE FIELDS: the ceiling for a
header sync: one LOGIN, one EXAMINE, one UID FETCH 1:* of the given header
fields, reading every byte the server sends until the tagged OK.  Prints the
bytes received.  No parsing, no storage: nothing can be faster over IMAP."""
import socket
import ssl
import sys

host, port, ca, user, passfile, fields = sys.argv[1:7]
ctx = ssl.create_default_context(cafile=ca)
sock = ctx.wrap_socket(socket.create_connection((host, int(port))), server_hostname=host)
password = open(passfile).read().strip()
total = 0


def command(tag, text):
    global total
    sock.sendall(b"%s %s\r\n" % (tag, text.encode()))
    buf = b""
    end = b"\r\n" + tag + b" "
    while True:
        chunk = sock.recv(1 << 20)
        if not chunk:
            raise SystemExit("server closed the connection")
        total += len(chunk)
        buf = buf[-64:] + chunk
        if end in buf or buf.startswith(tag + b" "):
            idx = buf.rfind(end)
            if b"\r\n" in buf[idx + 2:]:
                return


sock.recv(4096)
command(b"a1", 'LOGIN "%s" "%s"' % (user, password))
command(b"a2", "EXAMINE INBOX")
command(b"a3", "UID FETCH 1:* (UID BODY.PEEK[HEADER.FIELDS (%s)])" % fields)
command(b"a4", "LOGOUT")
print(total)
