#!/usr/bin/env python3
"""tests/lib/maildir.py: load a folder tree of message files into a Maildir++.

    maildir.py load TREE MAILDIR
    maildir.py add MAILDIR FOLDER FILE...        (into new/, for a running server)
    maildir.py replicate SRC_TREE OUT_DIR COUNT  (fresh Message-IDs and dates)
    maildir.py [--lf] COMMAND ...   --lf: files with LF line ends, as
        Courier and GNU Mailutils keep them (Dovecot takes either)
    maildir.py load-dirs TREE INBOX_DIR FOLDER_DIR  (one plain Maildir per
        folder: TREE/INBOX -> INBOX_DIR, TREE/a/b -> FOLDER_DIR/a/b; the
        layout GNU Mailutils' imap4d reads; into cur/, as seen by a client)

TREE/INBOX/x.eml -> MAILDIR/cur/...; TREE/Sent/x.eml -> MAILDIR/.Sent/cur/...;
TREE/a/b/x -> MAILDIR/.a.b/cur/...  A top-level folder named inbox (any case)
is the INBOX.  Each message: a leading mbox "From " line dropped, bare LF made
CRLF, stored as cur/NAME:2,S with its mtime set from the Date header (the
IMAP INTERNALDATE).  Dots in folder names become '_' (Maildir++ separator).
Prints "folder<TAB>count" for each folder loaded.
"""
import email.utils
import os
import re
import sys
import time

_counter = [0]
_lf = [False]  # --lf: files end lines in LF (Courier, Mailutils read no CRLF)


def normalize(raw):
    """Drop an mbox From_ line; make every line end in CRLF."""
    if raw.startswith(b"From "):
        nl = raw.find(b"\n")
        raw = raw[nl + 1:] if nl >= 0 else b""
    raw = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return raw.replace(b"\n", b"\r\n")


def header_date(raw):
    """Epoch seconds of the Date header, or None."""
    end = raw.find(b"\r\n\r\n")
    head = raw[:end if end >= 0 else len(raw)]
    m = re.search(rb"(?im)^date:[ \t]*(.*(?:\r\n[ \t].*)*)", head)
    if not m:
        return None
    try:
        d = email.utils.parsedate_to_datetime(m.group(1).decode("latin-1").strip())
        return d.timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def folder_dir(maildir, name, inbox_names):
    """Maildir++ directory of an IMAP folder path given as a list of parts."""
    parts = [p.replace(".", "_") for p in name]
    if parts and parts[0].lower() in inbox_names:
        parts = ["INBOX"] + parts[1:]
        if len(parts) == 1:
            return maildir
    return os.path.join(maildir, "." + ".".join(parts))


def ensure(d):
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(d, sub), exist_ok=True)


def store(d, raw, sub="cur", uid=None):
    """Write one message into d/sub; returns the path.  uid: GNU Mailutils'
    naming (",u=UID" before the flags), which it needs to keep UIDs."""
    _counter[0] += 1
    when = header_date(raw)
    if _lf[0]:
        raw = raw.replace(b"\r\n", b"\n")
    base = "%d.M%dP%d.kith" % (int(time.time()), _counter[0], os.getpid())
    name = base + (",u=%d" % uid if uid else "") + (":2,S" if sub == "cur" else "")
    tmp = os.path.join(d, "tmp", base)
    with open(tmp, "wb") as f:
        f.write(raw)
    if when is not None and when > 0:
        try:
            os.utime(tmp, (when, when))
        except (OverflowError, OSError):
            pass
    path = os.path.join(d, sub, name)
    os.rename(tmp, path)
    return path


def load(tree, maildir, inbox_names):
    ensure(maildir)
    counts = {}
    for root, dirs, files in os.walk(tree):
        dirs.sort()
        rel = os.path.relpath(root, tree)
        msgs = sorted(f for f in files if not f.startswith("."))
        if rel == "." or not msgs:
            continue
        parts = rel.split(os.sep)
        d = folder_dir(maildir, parts, inbox_names)
        ensure(d)
        # Numeric names (enron's "12.") in numeric order, the rest by name.
        msgs.sort(key=lambda f: (0, int(f.rstrip("."))) if f.rstrip(".").isdigit() else (1, f))
        for f in msgs:
            with open(os.path.join(root, f), "rb") as fh:
                store(d, normalize(fh.read()))
        counts["/".join(parts)] = len(msgs)
    for k in sorted(counts):
        print("%s\t%d" % (k, counts[k]))


def load_dirs(tree, inbox_dir, folder_dir_root):
    for root, dirs, files in os.walk(tree):
        dirs.sort()
        rel = os.path.relpath(root, tree)
        msgs = sorted(f for f in files if not f.startswith("."))
        if rel == "." or not msgs:
            continue
        inbox = rel.lower() == "inbox"
        d = inbox_dir if inbox else os.path.join(folder_dir_root, rel)
        ensure(d)
        for i, f in enumerate(msgs, 1):
            with open(os.path.join(root, f), "rb") as fh:
                store(d, normalize(fh.read()), uid=i)
        # without this state file imap4d (3.15) derives a new UIDVALIDITY
        # at every session
        with open(os.path.join(d, ".mu-prop"), "w") as fh:
            fh.write("uidnext: %d\nuid-validity: %d\nversion: 3.15\n" % (len(msgs) + 1, int(time.time())))
        print("%s\t%d" % ("INBOX" if inbox else rel.replace(os.sep, "/"), len(msgs)))


def add(maildir, folder, files):
    d = folder_dir(maildir, folder.split("/"), {"inbox"})
    ensure(d)
    for f in files:
        with open(f, "rb") as fh:
            print(store(d, normalize(fh.read()), sub="new"))


def replicate(src, out, count):
    """Write COUNT messages made from SRC's header blocks, each with a fresh
    Message-ID, no In-Reply-To/References, and a distinct date."""
    heads = []
    for root, _dirs, files in os.walk(src):
        for f in sorted(files):
            if f.startswith("."):
                continue
            with open(os.path.join(root, f), "rb") as fh:
                raw = normalize(fh.read())
            end = raw.find(b"\r\n\r\n")
            if end < 0:
                continue
            head = raw[:end + 2]
            head = re.sub(rb"(?im)^(message-id|date|in-reply-to|references):.*\r\n(?:[ \t].*\r\n)*",
                          b"", head)
            heads.append(head)
    if not heads:
        raise SystemExit("no headers found under %s" % src)
    os.makedirs(out, exist_ok=True)
    base = 1735689600  # 2025-01-01
    # 617 s apart up to 100k messages (two years); a larger mailbox is
    # packed into the same two years, so that none is dated in the future
    step = min(617, 61700000 // max(count, 1))
    for i in range(count):
        h = heads[i % len(heads)]
        date = email.utils.formatdate(base + i * step, localtime=False)
        raw = (h + b"Date: " + date.encode() + b"\r\nMessage-ID: <bulk.%d.%d@replica.example>\r\n\r\n"
               % (i, count) + b"body %d\r\n" % i)
        with open(os.path.join(out, "%06d.eml" % i), "wb") as fh:
            fh.write(raw)
    print(count)


def main(argv):
    if argv and argv[0] == "--lf":
        _lf[0] = True
        argv = argv[1:]
    if len(argv) >= 3 and argv[0] == "load":
        inbox = {"inbox"}
        load(argv[1], argv[2], inbox)
    elif len(argv) == 4 and argv[0] == "load-dirs":
        load_dirs(argv[1], argv[2], argv[3])
    elif len(argv) >= 4 and argv[0] == "add":
        add(argv[1], argv[2], argv[3:])
    elif len(argv) == 4 and argv[0] == "replicate":
        replicate(argv[1], argv[2], int(argv[3]))
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
