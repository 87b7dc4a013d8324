#!/usr/bin/env python3
"""tests/lib/imapcheck.py: a tiny IMAP client for checking the test server.

    imapcheck.py implicit|starttls PORT CA USER PASSFILE [COMMAND...]

Connects to 127.0.0.1:PORT, verifies the certificate against CA (and the
host name 127.0.0.1), logs in, then runs each COMMAND:
    list              print "FOLDER<TAB>special-use flags" for every folder
    count FOLDER      print the message count of FOLDER
    headers FOLDER    fetch BODY.PEEK[HEADER] of every message, print how many
Exits 0 on success, 2 on a TLS error, 3 on a login error, 1 otherwise.
"""
import imaplib
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


def main(argv):
    mode, port, ca, user, passfile = argv[:5]
    with open(passfile) as f:
        pw = f.readline().rstrip("\n")
    try:
        c = connect(mode, int(port), ca)
    except ssl.SSLError as e:
        print("tls error: %s" % e)
        return 2
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
        else:
            print("unknown command %s" % cmd)
            return 1
    c.logout()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
