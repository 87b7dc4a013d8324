#!/usr/bin/env python3
"""tests/lib/imapcheck.py: a tiny IMAP client for checking the test server.

    imapcheck.py implicit|starttls PORT CA USER PASSFILE [COMMAND...]

Connects to 127.0.0.1:PORT, verifies the certificate against CA (and the
host name 127.0.0.1), logs in, then runs each COMMAND:
    list              print "FOLDER<TAB>special-use flags" for every folder
    count FOLDER      print the message count of FOLDER
    headers FOLDER    fetch BODY.PEEK[HEADER] of every message, print how many
    caps              print the capabilities after login and, after them,
                      those only shown before it (AUTH=...), one line
    status FOLDER     print "messages=N uidnext=N uidvalidity=N"
    create FOLDER     create FOLDER (no error if it exists)
    delete FOLDER     delete FOLDER
    select FOLDER     SELECT read-write, then CLOSE (what a mail client does;
                      Courier only then keeps its UIDs: see courier.sh)
    load TREE         TREE/INBOX/x.eml, TREE/Sent/y.eml, TREE/a/b/z: APPEND
                      every file (normalised as maildir.py does) into its
                      folder, creating folders; prints "folder<TAB>count"
    append FOLDER FILE...   APPEND the files to FOLDER
(load and append are how a test fills a server that has no private loader.)
Exits 0 on success, 2 on a TLS error, 3 on a login error, 1 otherwise.
"""
import imaplib
import os
import re
import ssl
import sys


def connect(mode, port, ca):
    ctx = ssl.create_default_context(cafile=ca)
    if mode == "implicit":
        return imaplib.IMAP4_SSL("127.0.0.1", port, ssl_context=ctx)
    c = imaplib.IMAP4("127.0.0.1", port)
    c.starttls(ssl_context=ctx)
    return c


def do_list(c):
    typ, data = c.list()
    for line in data:
        m = re.match(rb'\((.*?)\) "(.*?)" (.*)', line)
        if m:
            flags = " ".join(f for f in m.group(1).decode().split() if f not in ("\\HasNoChildren", "\\HasChildren"))
            print("%s\t%s" % (m.group(3).decode().strip('"'), flags))


def do_count(c, folder):
    typ, data = c.select('"%s"' % folder, readonly=True)
    print(int(data[0]))


def do_headers(c, folder):
    typ, data = c.select('"%s"' % folder, readonly=True)
    n = int(data[0])
    if n:
        typ, data = c.fetch("1:*", "(UID BODY.PEEK[HEADER])")
    print(n)


def do_status(c, folder):
    typ, data = c.status('"%s"' % folder, "(MESSAGES UIDNEXT UIDVALIDITY)")
    if typ != "OK":
        raise imaplib.IMAP4.error("STATUS %s: %s" % (folder, data))
    vals = dict(re.findall(rb"([A-Z]+) (\d+)", data[0]))
    print("messages=%d uidnext=%d uidvalidity=%d" % (
        int(vals[b"MESSAGES"]), int(vals[b"UIDNEXT"]), int(vals[b"UIDVALIDITY"])))


def do_create(c, folder):
    if folder.upper() != "INBOX":
        c.create('"%s"' % folder)  # NO when it exists: fine


def multiappend(c, folder, raws):
    """One APPEND of many messages (MULTIAPPEND, RFC 3502) with
    non-synchronising literals (LITERAL+): one round trip per 500."""
    for i in range(0, len(raws), 500):
        tag = c._new_tag()
        parts = [tag + b' APPEND "' + folder.encode() + b'"']
        for raw in raws[i:i + 500]:
            parts.append(b" (\\Seen) {%d+}\r\n" % len(raw) + raw)
        c.send(b"".join(parts) + b"\r\n")
        typ, data = c._command_complete("APPEND", tag)
        if typ != "OK":
            raise imaplib.IMAP4.error("APPEND to %s: %s" % (folder, data))


def do_append(c, folder, files):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import maildir
    do_create(c, folder)
    caps = c.capability()[1][0].decode().upper().split()  # after login
    if len(files) > 20 and "MULTIAPPEND" in caps and "LITERAL+" in caps:
        raws = []
        for f in files:
            with open(f, "rb") as fp:
                raws.append(maildir.normalize(fp.read()))
        multiappend(c, folder, raws)
        return len(files)
    for f in files:
        with open(f, "rb") as fp:
            raw = maildir.normalize(fp.read())
        typ, data = c.append('"%s"' % folder, None, None, raw)
        if typ != "OK":
            raise imaplib.IMAP4.error("APPEND %s to %s: %s" % (f, folder, data))
    return len(files)


def do_load(c, tree):
    for root, dirs, files in sorted(os.walk(tree)):
        dirs.sort()
        files = sorted(f for f in files if not f.startswith("."))
        if not files:
            continue
        rel = os.path.relpath(root, tree)
        folder = "INBOX" if rel.lower() == "inbox" else rel
        n = do_append(c, folder, [os.path.join(root, f) for f in files])
        print("%s\t%d" % (folder, n))


def main(argv):
    mode, port, ca, user, passfile = argv[:5]
    with open(passfile) as f:
        pw = f.readline().rstrip("\n")
    try:
        c = connect(mode, int(port), ca)
    except ssl.SSLError as e:
        print("tls error: %s" % e)
        return 2
    pre = list(c.capabilities)  # before login: AUTH=, SASL-IR, LOGINDISABLED
    try:
        c.login(user, pw)
    except imaplib.IMAP4.error as e:
        print("login error: %s" % e)
        return 3
    cmds = argv[5:]
    while cmds:
        cmd = cmds.pop(0)
        if cmd == "list":
            do_list(c)
        elif cmd == "count":
            do_count(c, cmds.pop(0))
        elif cmd == "headers":
            do_headers(c, cmds.pop(0))
        elif cmd == "caps":
            post = c.capability()[1][0].decode().split()
            seen = set(x.upper() for x in post)
            print(" ".join(post + [x for x in pre if x.upper() not in seen]))
        elif cmd == "status":
            do_status(c, cmds.pop(0))
        elif cmd == "create":
            do_create(c, cmds.pop(0))
        elif cmd == "select":
            c.select('"%s"' % cmds.pop(0))
            c.close()
        elif cmd == "delete":
            c.delete('"%s"' % cmds.pop(0))
        elif cmd == "load":
            do_load(c, cmds.pop(0))
        elif cmd == "append":
            folder, files, cmds = cmds[0], cmds[1:], []
            do_append(c, folder, files)
        else:
            print("unknown command %s" % cmd)
            return 1
    c.logout()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
