#!/usr/bin/env python3
"""demo/make_mail.py: writes the fictional demo mailbox into demo/mail/.

    python3 demo/make_mail.py [OUT_DIR]     (default: demo/mail next to this file)

Every person, company and address here is invented (.example domains).  The
output is deterministic: rerunning it rewrites the same files byte for byte,
and demo/index.tsv lists each file with its folder, Message-ID, sender, date
and subject so tests can derive their expectations instead of hard-coding
them.  demo/README.md tells the story: who is who and what kith should find.
"""
import datetime as dt
import email.utils
import hashlib
import os
import shutil
import sys
from email.header import Header
from zoneinfo import ZoneInfo

MAYA = "maya"
END = "2026-11-15"

# key: (display name, address, time zone)
PEOPLE = {
    "maya": ("Maya Lindqvist", "maya@lindqvist.example", "Europe/Stockholm"),
    "tomas": ("Tomás Okafor", "tomas@fernwood-studio.example", "Europe/Stockholm"),
    "chen": ("Chen Wei", "chen.wei@fernwood-studio.example", "Europe/Stockholm"),
    "elin": ("Elin Lindqvist", "elin.lindqvist@postbox.example", "Europe/Stockholm"),
    "jonah": ("Jonah Whitfield", "jonah.whitfield@mailbox.example", "Europe/London"),
    "priya": ("Priya Raman", "priya@harbourlight.example", "Europe/London"),
    "marta": ("Marta Okonkwo", "marta@harbourlight.example", "Europe/London"),
    "samuel": ("Samuel Achterberg", "s.achterberg@rivermouth-uni.example", "Europe/Amsterdam"),
    "hannah_old": ("Hannah Moreau", "hannah.moreau@cobalt-agency.example", "Europe/Paris"),
    "hannah_new": ("Hannah Berg", "hannah@bergstudio.example", "Europe/Paris"),
    "ravi": ("Ravi Desai", "ravi.desai@northwind-print.example", "Europe/Berlin"),
    "ravi_home": ("Ravi Desai", "ravi.desai@homemail.example", "Europe/Berlin"),
    "lukas": ("Lukas Brandt", "lukas.brandt@mailhub.example", "Europe/Stockholm"),
    "amara": ("Amara Nwosu", "amara@amaranwosu.example", "Europe/Stockholm"),
    "ingrid": ("Ingrid Sjöberg", "ingrid@sjoberg-redovisning.example", "Europe/Stockholm"),
    "oskar": ("Oskar Nilsson", "oskar.nilsson@greenmail.example", "Europe/Stockholm"),
    "beatrice": ("Beatrice Kowalski", "bea.kowalski@greenmail.example", "Europe/Stockholm"),
    "greta": ("Greta Holm", "greta.holm@postbox.example", "Europe/Stockholm"),
    "derek": ("Derek Shaw", "derek.shaw@growthleadsmail.example", "America/New_York"),
    "olivia": ("Olivia Grant", "olivia@pixelperfect-stock.example", "America/Chicago"),
    "sketch": ("The Weekly Sketch", "hello@weeklysketch.example", "UTC"),
    "northbank_news": ("Northbank", "news@northbank.example", "UTC"),
    "northbank": ("Northbank", "no-reply@northbank.example", "UTC"),
    "codehost": ("CodeHost", "notifications@codehost.example", "UTC"),
    "calendar": ("Calendar", "calendar-noreply@cloudcal.example", "UTC"),
    "daemon": ("Mail Delivery System", "MAILER-DAEMON@mx.lindqvist.example", "Europe/Stockholm"),
    "prize": ("Claims Department", "claims@lucky-winner.example", "UTC"),
    "list": ("Urban Gardens", "urban-gardens@lists.greenhaven.example", "UTC"),
}

LIST_HDRS = [
    ("List-Id", "Urban Gardens <urban-gardens.lists.greenhaven.example>"),
    ("List-Post", "<mailto:urban-gardens@lists.greenhaven.example>"),
    ("List-Unsubscribe", "<mailto:urban-gardens-leave@lists.greenhaven.example>"),
    ("Precedence", "list"),
]

OUT = []  # (folder, filename, bytes, msgid, from, date, subject)


def addr(key):
    name, a, _tz = PEOPLE[key]
    try:
        name.encode("ascii")
        enc = name
    except UnicodeEncodeError:
        enc = Header(name, "utf-8").encode()
    return email.utils.formataddr((enc, a)) if "," not in name else '"%s" <%s>' % (name, a)


def when(key, stamp):
    tz = ZoneInfo(PEOPLE[key][2])
    t = dt.datetime.strptime(stamp, "%Y-%m-%d %H:%M").replace(tzinfo=tz)
    return t


def make_id(key, stamp, subject):
    h = hashlib.sha1(("%s|%s|%s" % (key, stamp, subject)).encode()).hexdigest()[:12]
    dom = PEOPLE[key][1].split("@")[1]
    if key == "daemon":
        dom = "mx.lindqvist.example"
    return "%s.%s@%s" % (stamp[:10].replace("-", ""), h, dom)


class Msg:
    def __init__(self, sender, stamp, to, subject, body, cc=(), extra=(),
                 irt=None, refs=(), folder=None, content_type=None, raw_to=None):
        self.sender, self.stamp, self.to, self.cc = sender, stamp, list(to), list(cc)
        self.subject, self.body, self.extra = subject, body, list(extra)
        self.irt, self.refs = irt, list(refs)
        self.msgid = make_id(sender, stamp, subject)
        self.folder = folder or ("Sent" if sender == MAYA else "INBOX")
        self.content_type = content_type
        self.raw_to = raw_to

    def render(self):
        t = when(self.sender, self.stamp)
        subj = self.subject
        try:
            subj.encode("ascii")
        except UnicodeEncodeError:
            subj = Header(subj, "utf-8").encode()
        h = []
        if self.sender == "daemon":
            h.append(("Return-Path", "<>"))
        h.append(("From", addr(self.sender)))
        h.append(("To", self.raw_to or ", ".join(addr(k) for k in self.to)))
        if self.cc:
            h.append(("Cc", ", ".join(addr(k) for k in self.cc)))
        h.append(("Subject", subj))
        h.append(("Date", email.utils.format_datetime(t)))
        h.append(("Message-ID", "<%s>" % self.msgid))
        if self.irt:
            h.append(("In-Reply-To", "<%s>" % self.irt))
        if self.refs:
            h.append(("References", " ".join("<%s>" % r for r in self.refs)))
        h.extend(self.extra)
        h.append(("MIME-Version", "1.0"))
        if self.content_type:
            h.append(("Content-Type", self.content_type))
        else:
            h.append(("Content-Type", "text/plain; charset=utf-8; format=flowed"))
            h.append(("Content-Transfer-Encoding", "8bit"))
        text = "".join("%s: %s\n" % kv for kv in h) + "\n" + self.body.strip("\n") + "\n"
        return text.encode("utf-8")


def emit(m):
    OUT.append(m)
    return m


def thread(subject, steps, threaded=True, cc=()):
    """steps: (sender, 'YYYY-MM-DD HH:MM', body[, opts]).  Each message goes
    to the previous sender (or, for the first, to opts['to']).  threaded=False
    leaves out In-Reply-To/References on replies (subject-only threading);
    a per-step opts {'nohdr': True} does the same for one reply."""
    prev = None
    refs = []
    first_to = None
    out = []
    for i, step in enumerate(steps):
        sender, stamp, body = step[:3]
        opts = step[3] if len(step) > 3 else {}
        if i == 0:
            to = opts["to"]
            first_to = to
            subj = subject
        else:
            to = opts.get("to", [prev.sender] if prev.sender != sender else first_to)
            subj = opts.get("subject", "Re: " + subject)
        link = threaded and not opts.get("nohdr") and prev is not None
        m = Msg(sender, stamp, to, subj, body, cc=opts.get("cc", cc),
                extra=opts.get("extra", ()),
                irt=prev.msgid if link else None,
                refs=(refs + [prev.msgid])[-8:] if link else (),
                folder=opts.get("folder"))
        emit(m)
        out.append(m)
        if prev is not None:
            refs = refs + [prev.msgid]
        prev = m
    return out


def to(*keys, **kw):
    d = {"to": list(keys)}
    d.update(kw)
    return d


def tomas():
    thread("Kickoff notes for Harbourlight", [
        ("maya", "2026-01-19 09:10", "Hi Tomás,\n\nMy notes from the Harbourlight kickoff are in the shared folder. Can you check the schedule part?\n\nMaya", to("tomas", cc=["chen"])),
        ("tomas", "2026-01-19 09:32", "Looks right. I moved the type review a week later, otherwise fine.\n\nT.", to("maya", cc=["chen"])),
        ("maya", "2026-01-19 09:50", "Perfect, thanks. I'll tell Priya.", to("tomas", cc=["chen"])),
        ("tomas", "2026-01-19 10:05", "👍 I'll book the meeting room.", to("maya", cc=["chen"])),
    ])
    thread("Workshop slides", [
        ("tomas", "2026-04-22 08:30", "Draft slides for the client workshop attached in the drive. Too long?", to("maya")),
        ("maya", "2026-04-22 09:00", "A bit. I'd cut the history section to one slide."),
        ("tomas", "2026-04-22 09:15", "Done. Anything else?"),
        ("maya", "2026-04-22 12:40", "Swap slides 7 and 8 and it's great."),
    ])
    thread("Print proofs", [
        ("tomas", "2026-07-01 15:20", "Proofs from Northwind arrived, colours look slightly warm.", to("maya")),
        ("maya", "2026-07-01 15:45", "Agreed. Ask Ravi for a second proof on the uncoated stock?"),
        ("tomas", "2026-07-01 16:02", "Will do."),
    ])
    thread("Harbourlight phase 2 estimate", [
        ("maya", "2026-10-06 13:00", "First pass at the estimate. Chen, can you check the accessibility hours?", to("tomas", cc=["chen"])),
        ("tomas", "2026-10-06 13:25", "Design hours look low to me, +10%?", to("maya", cc=["chen"])),
        ("chen", "2026-10-06 14:10", "Accessibility: 16 hours is right.", to("maya", cc=["tomas"])),
        ("maya", "2026-10-06 14:30", "Updated with +10% design. Sending it Friday.", to("tomas", cc=["chen"])),
    ])
    thread("Friday review", [
        ("tomas", "2026-11-13 16:00", "Can we move next Friday's review to 10:00?", to("maya")),
        ("maya", "2026-11-13 16:20", "10:00 works. See you then."),
    ])


def elin():
    thread("Mamma's birthday", [
        ("elin", "2026-01-25 18:30", "Hej! Shall we go halves on a present for Mamma? I was thinking of the pottery class.", to("maya")),
        ("maya", "2026-01-25 21:10", "Yes, lovely idea. Book it and I'll send you my half.", {"nohdr": True}),
        ("elin", "2026-01-26 08:05", "Booked! 1 200 kr each.", {"nohdr": True}),
    ])
    thread("Photos from the cabin", [
        ("maya", "2026-03-01 19:00", "Here are the photos from the cabin weekend. The one with the frozen lake is my favourite.", to("elin")),
        ("elin", "2026-03-02 07:45", "They're beautiful! Printing the lake one.", {"nohdr": True}),
    ])
    thread("Easter plans", [
        ("elin", "2026-04-01 12:00", "Are you coming to Mamma's for Easter?", to("maya")),
        ("maya", "2026-04-01 20:30", "Yes, Friday to Monday. I'll bring the kladdkaka."),
    ])
    thread("Midsommar!", [
        ("elin", "2026-06-15 09:00", "We're doing midsommar at the lake house. Coming?", to("maya")),
        ("maya", "2026-06-15 18:40", "Wouldn't miss it."),
        ("elin", "2026-06-15 19:02", "Bring a flower crown 🌼"),
    ])
    thread("Your new flat", [
        ("maya", "2026-08-16 10:15", "How is the new flat? Need help with painting next weekend?", to("elin")),
        ("elin", "2026-08-17 21:00", "Yes please! Saturday from 10?", {"nohdr": True}),
        ("maya", "2026-08-17 21:30", "Saturday at 10. I'll bring rollers.", {"nohdr": True}),
    ])
    thread("Visiting in November?", [
        ("elin", "2026-10-04 17:20", "Could I come and stay the weekend of 21 November?", to("maya")),
        ("maya", "2026-10-05 08:00", "Of course! The sofa bed is yours."),
        ("elin", "2026-10-05 08:30", "Yay. I'll book the train."),
    ])
    thread("Train tickets", [
        ("elin", "2026-11-09 20:00", "Booked: arriving Friday 18:42 at Centralen.", to("maya")),
        ("maya", "2026-11-10 07:50", "I'll meet you on the platform."),
    ])


def jonah():
    thread("Long time!", [
        ("jonah", "2026-01-30 22:00", "Maya! It's been far too long. How's life at the studio?", to("maya")),
        ("maya", "2026-02-02 19:30", "Jonah! Busy but good. Still painting?"),
        ("jonah", "2026-02-04 21:15", "Still painting, and a show in March. I'll send the link."),
    ])
    thread("Saw your exhibition online", [
        ("maya", "2026-03-20 20:00", "The blue series is stunning. Wish I could have been there.", to("jonah")),
        ("jonah", "2026-03-22 10:30", "Thank you, that means a lot. Next time in person!"),
        ("maya", "2026-03-23 08:10", "Deal."),
    ])
    thread("Moving to Lisbon", [
        ("jonah", "2026-04-28 18:00", "Big news: I'm moving to Lisbon in May. Studio with a view of the river.", to("maya")),
        ("maya", "2026-04-30 21:45", "That's wonderful! Send me your new address when you're settled."),
    ])


def priya():
    thread("Cover redesign enquiry", [
        ("priya", "2026-01-15 10:00", "Dear Maya,\n\nWe're looking for a designer to redesign the covers of our travel series. Would you be interested?\n\nBest,\nPriya Raman\nHarbourlight Books", to("maya")),
        ("maya", "2026-01-16 09:20", "Dear Priya,\n\nVery interested. Could we talk next week?\n\nMaya"),
        ("priya", "2026-01-16 11:05", "Tuesday 14:00 my time works. I'll send an invite."),
    ])
    contract = thread("Contract for the series covers", [
        ("priya", "2026-03-05 15:30", "Please find our contract summary below. Twelve covers, delivery by October.", to("maya")),
        ("maya", "2026-03-06 10:00", "Signed and returned. Looking forward to it!"),
    ])
    thread("First cover drafts", [
        ("maya", "2026-05-18 16:00", "The first three drafts are in the shared folder.", to("priya")),
        ("priya", "2026-05-20 09:40", "We love the second one. Could the title be larger?"),
        ("maya", "2026-05-20 11:15", "Yes, I'll send a revision Friday."),
    ])
    thread("Feedback from the editorial team", [
        ("priya", "2026-08-26 11:00", "Consolidated feedback from editorial below; Marta has a note on the spines.", to("maya", cc=["marta"])),
        ("maya", "2026-08-27 09:30", "Thanks both, all clear. Revised spines next week.", to("priya", cc=["marta"])),
    ])
    thread("Final files delivered", [
        ("maya", "2026-10-20 17:00", "All twelve covers are delivered as print-ready PDFs.", to("priya")),
        ("priya", "2026-10-22 10:10", "Received, thank you! They look fantastic."),
    ])
    thread("Reprint: can you adjust the spine width?", [
        ("priya", "2026-11-13 14:20", "Hi Maya,\n\nThe reprint of volume 3 has 32 more pages. Could you adjust the spine width, and what would it cost?\n\nPriya", to("maya")),
    ])
    return contract[0]


def samuel():
    thread("Guest lecture in the autumn?", [
        ("samuel", "2026-06-09 13:00", "Dear Ms Lindqvist,\n\nWould you give a guest lecture on book cover design to our master's students this autumn?\n\nKind regards,\nSamuel Achterberg", to("maya")),
        ("maya", "2026-06-12 09:00", "Dear Dr Achterberg,\n\nI'd be glad to. Early November would suit me best.\n\nMaya Lindqvist"),
        ("samuel", "2026-06-13 10:30", "Wonderful, I'll confirm a date after the summer."),
    ])
    thread("Lecture date confirmed: 4 November", [
        ("samuel", "2026-09-30 09:00", "The lecture is confirmed for 4 November, 13:15, room B2.", to("maya")),
        ("maya", "2026-10-01 08:45", "Confirmed, thank you."),
    ])
    thread("Slides and a question about recording", [
        ("maya", "2026-11-07 10:00", "Dear Samuel,\n\nThank you for having me on Wednesday. The slides are attached. One question: may the lecture recording be published on the department's site, and if so, could you send me the link?\n\nBest,\nMaya", to("samuel")),
    ])


def hannah():
    thread("Coffee & portfolio review?", [
        ("hannah_old", "2026-02-17 10:00", "Hi Maya, would you like to do a portfolio swap over coffee?", to("maya")),
        ("maya", "2026-02-18 08:30", "Love that. Thursday at Café Lyktan?"),
        ("hannah_old", "2026-02-18 09:15", "Thursday it is."),
    ])
    thread("New job, new name!", [
        ("hannah_new", "2026-06-15 12:00", "Hi Maya! Two pieces of news: I got married (Berg now) and I've joined Berg Studio. This is my address from now on — the Cobalt one will stop working.\n\nHannah", to("maya")),
        ("maya", "2026-06-15 13:10", "Congratulations on both!! Updating my address book."),
        ("hannah_new", "2026-06-16 08:00", "Thank you! Coffee soon?"),
    ])
    # Maya's address book autocompleted the old address: it bounces.
    lost = emit(Msg("maya", "2026-07-08 09:00", ["hannah_old"], "Lunch next week?",
                    "Hi Hannah, lunch next week? Tuesday or Wednesday?"))
    bounce(lost)
    thread("Lunch next week?", [
        ("maya", "2026-07-08 09:20", "Hi Hannah, lunch next week? Tuesday or Wednesday? (My first try went to your old address.)", to("hannah_new")),
        ("hannah_new", "2026-07-09 10:00", "Wednesday!"),
    ])
    thread("Panel at Design Week", [
        ("hannah_new", "2026-09-21 14:00", "Would you join a panel on sustainable print at Design Week, 24 October?", to("maya")),
        ("maya", "2026-09-22 09:10", "Yes, happily. Who else is on it?"),
        ("hannah_new", "2026-09-22 10:00", "Ravi from Northwind Print and me as moderator."),
    ])
    thread("Photos from the panel", [
        ("maya", "2026-10-28 18:00", "Some photos from the panel. That was fun!", to("hannah_new")),
        ("hannah_new", "2026-10-29 08:20", "Great shots, thanks Maya!"),
    ])


def bounce(lost):
    boundary = "kith-demo-dsn-boundary"
    rcpt = PEOPLE["hannah_old"][1]
    headers = lost.render().split(b"\n\n", 1)[0].decode("utf-8")
    body = (
        "--%s\nContent-Type: text/plain; charset=us-ascii\n\n"
        "This is the mail system at host mx.lindqvist.example.\n\n"
        "I'm sorry to have to inform you that your message could not be delivered\n"
        "to one or more recipients.\n\n<%s>: host mx.cobalt-agency.example said:\n"
        "    550 5.1.1 <%s>: Recipient address rejected: User unknown\n\n"
        "--%s\nContent-Type: message/delivery-status\n\n"
        "Reporting-MTA: dns; mx.lindqvist.example\nArrival-Date: %s\n\n"
        "Final-Recipient: rfc822; %s\nOriginal-Recipient: rfc822;%s\nAction: failed\n"
        "Status: 5.1.1\nRemote-MTA: dns; mx.cobalt-agency.example\n"
        "Diagnostic-Code: smtp; 550 5.1.1 <%s>: Recipient address rejected: User unknown\n\n"
        "--%s\nContent-Type: text/rfc822-headers\n\n%s\n\n--%s--\n"
    ) % (boundary, rcpt, rcpt, boundary,
         email.utils.format_datetime(when("maya", lost.stamp)), rcpt, rcpt, rcpt,
         boundary, headers, boundary)
    emit(Msg("daemon", "2026-07-08 09:01", ["maya"],
             "Undelivered Mail Returned to Sender", body,
             extra=[("Auto-Submitted", "auto-replied")],
             content_type='multipart/report; report-type=delivery-status;\n boundary="%s"' % boundary))


def ravi():
    thread("Paper samples", [
        ("ravi", "2026-02-24 11:00", "Hello Maya, the paper samples you asked for are in the post.", to("maya")),
        ("maya", "2026-03-04 16:30", "Thanks Ravi, they arrived. The 120 g uncoated is the one."),
        ("ravi", "2026-03-04 17:10", "Noted for your next order."),
    ])
    run = thread("Print run for Harbourlight", [
        ("maya", "2026-08-03 10:00", "Could you quote a run of 3 000 for the Harbourlight covers?", to("ravi")),
    ])[0]
    emit(Msg("ravi", "2026-08-03 10:01", ["maya"], "Out of office: Print run for Harbourlight",
             "I am away until 17 August with limited access to email. For urgent orders call the office.\n\nRavi Desai",
             extra=[("Auto-Submitted", "auto-replied"), ("X-Autoreply", "yes")], irt=run.msgid, refs=[run.msgid]))
    # Written from his personal address on the way home (same mailbox name,
    # another host: kith can suggest merging the two).
    rep = emit(Msg("ravi_home", "2026-08-17 15:00", ["maya"], "Re: Print run for Harbourlight",
                   "Back now, writing from my own account on the train. Quote: 3 000 copies, delivery in three weeks.",
                   irt=run.msgid, refs=[run.msgid]))
    emit(Msg("maya", "2026-08-24 09:00", ["ravi"], "Re: Print run for Harbourlight",
             "Approved, please go ahead.", irt=rep.msgid, refs=[run.msgid, rep.msgid]))
    thread("Year-end price changes", [
        ("ravi", "2026-10-13 10:00", "Paper prices go up 6% from January. Orders placed before 15 December keep the old price.", to("maya")),
        ("maya", "2026-10-21 11:30", "Thanks for the warning, I'll plan ahead."),
    ])


def others():
    thread("Bike storage", [
        ("lukas", "2026-03-28 10:00", "Hi neighbour, is the blue bike in the storage room yours? The board wants it labelled.", to("maya")),
        ("maya", "2026-03-28 12:30", "Yes it is, I'll label it today.", {"nohdr": True}),
    ])
    thread("Watering the plants", [
        ("maya", "2026-07-02 18:00", "Could you water my balcony plants while I'm away 6–24 July? Key is under the mat.", to("lukas")),
        ("lukas", "2026-07-02 19:30", "Of course, happy to.", {"nohdr": True}),
        ("maya", "2026-07-25 10:00", "Home again, the plants look great. Thank you!", {"nohdr": True, "subject": "Re: Watering the plants"}),
    ])
    thread("Book club: February pick", [
        ("amara", "2026-02-05 19:00", "February pick is 'The Lighthouse Keeper's Atlas'. Meeting on the 26th at mine.", to("maya")),
        ("maya", "2026-02-06 08:00", "Got it, ordering it now."),
    ])
    thread("Back in session", [
        ("amara", "2026-09-02 18:00", "Book club is back! First meeting 24 September.", to("maya")),
        ("maya", "2026-09-03 07:45", "Count me in."),
    ])
    thread("November meeting at mine", [
        ("amara", "2026-11-02 12:00", "November meeting at my place on the 19th, bring snacks!", to("maya")),
        ("maya", "2026-11-03 09:00", "I'll bring cinnamon buns."),
    ])
    thread("Accessibility audit results", [
        ("chen", "2026-04-14 15:00", "Audit of the studio site is done: 14 issues, 3 serious. Report in the drive.", to("maya", cc=["tomas"])),
        ("maya", "2026-04-15 09:00", "Thanks Chen, let's fix the serious ones first.", to("chen", cc=["tomas"])),
    ])
    thread("Tax documents", [
        ("ingrid", "2026-03-10 09:00", "Hej Maya, I need your receipts for Q4 before 31 March.", to("maya", folder="Archive")),
        ("maya", "2026-03-12 18:00", "Uploaded them to your portal just now."),
        ("ingrid", "2026-03-13 08:30", "Received, thank you. I'll be in touch when the return is filed.", {"folder": "Archive"}),
    ])


def mailing_list():
    lst = ["list"]
    c = thread("Compost bins for sale", [
        ("beatrice", "2026-04-08 19:00", "Two compost bins for sale, barely used. 300 kr each.", to(*lst, extra=LIST_HDRS)),
        ("greta", "2026-04-09 07:30", "I'll take one!", to(*lst, extra=LIST_HDRS)),
    ])
    seed = thread("Seed swap in August", [
        ("oskar", "2026-07-20 09:00", "Shall we hold a seed swap in the community garden on 15 August?", to(*lst, extra=LIST_HDRS)),
        ("maya", "2026-07-27 20:00", "Great idea. I have lots of tomato and marigold seeds to bring.", to(*lst)),
        ("beatrice", "2026-07-28 08:00", "Maya, could you save me some marigolds?", to(*lst, extra=LIST_HDRS)),
        ("oskar", "2026-07-28 12:00", "15 August it is, 10:00 at the garden shed.", to(*lst, extra=LIST_HDRS)),
    ])
    thread("Autumn planting day", [
        ("greta", "2026-09-12 10:00", "Autumn planting day on 3 October. Bulbs provided.", to(*lst, extra=LIST_HDRS)),
    ])
    return c, seed


def bulk():
    issues = ["2026-01-20", "2026-03-17", "2026-05-19", "2026-07-21", "2026-09-15",
              "2026-11-10"]
    for i, d in enumerate(issues):
        n = 41 + i
        emit(Msg("sketch", d + " 07:00", ["maya"], "The Weekly Sketch #%d: grids, margins and more" % n,
                 "This week's sketchbook links and one good idea about margins.\n\nUnsubscribe: https://weeklysketch.example/u/m9x2",
                 extra=[("List-Id", "The Weekly Sketch <weekly.weeklysketch.example>"),
                        ("List-Unsubscribe", "<https://weeklysketch.example/u/m9x2>, <mailto:unsubscribe@weeklysketch.example?subject=m9x2>"),
                        ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
                        ("Feedback-ID", "41:weekly:sketchmail:esp1"),
                        ("Precedence", "bulk")]))
    for d, s in (("2026-09-01 06:00", "New: travel insurance for cardholders"),):
        emit(Msg("northbank_news", d, ["maya"], s, "Offers for you. Manage preferences: https://northbank.example/prefs",
                 extra=[("List-Unsubscribe", "<https://northbank.example/unsub?u=77>"),
                        ("Feedback-ID", "mkt:northbank:esp2"), ("Precedence", "bulk")]))
    for d in ("2026-03-02", "2026-07-01", "2026-11-02"):
        emit(Msg("northbank", d + " 05:00", ["maya"], "Your statement is ready",
                 "Your monthly statement is ready in the app. This mailbox is not monitored.",
                 extra=[("Auto-Submitted", "auto-generated")]))
    for d, s in (("2026-05-21 12:03", "[fernwood/site] Build failed on main (a1c9e2f)"),
                 ("2026-10-07 08:44", "[fernwood/site] Pull request #48 merged")):
        emit(Msg("codehost", d, ["maya"], s, "View it on CodeHost: https://codehost.example/fernwood/site",
                 extra=[("Auto-Submitted", "auto-generated"),
                        ("List-Id", "fernwood/site <site.fernwood.codehost.example>"),
                        ("X-Auto-Response-Suppress", "All")]))
    emit(Msg("calendar", "2026-11-03 07:00", ["maya"], "Reminder: Guest lecture, Rivermouth University, Wed 4 Nov 13:15",
             "This is an automatic reminder.", extra=[("Auto-Submitted", "auto-generated")]))


def cold():
    first = emit(Msg("derek", "2026-09-16 10:12", ["maya"], "Quick question about Lindqvist Design",
                     "Hi Maya,\n\nI help design studios book 10+ qualified calls a month. Worth a 15-minute chat?\n\nDerek"))
    emit(Msg("derek", "2026-09-23 10:12", ["maya"], "Re: Quick question about Lindqvist Design",
             "Just bumping this to the top of your inbox.", irt=first.msgid, refs=[first.msgid]))
    emit(Msg("derek", "2026-10-07 10:12", ["maya"], "Last try: Lindqvist Design",
             "I'll close your file if I don't hear back."))
    emit(Msg("olivia", "2026-06-02 16:00", ["maya"], "Exclusive stock photo bundle for designers",
             "Hi there, 40% off our premium bundle this week only."))
    emit(Msg("prize", "2026-10-11 03:00", ["maya"], "You have WON a prize!!!",
             "Claim your prize now.", folder="Junk"))


def write(outdir, contract):
    if os.path.isdir(outdir):
        shutil.rmtree(outdir)
    OUT.sort(key=lambda m: when(m.sender, m.stamp))
    n = {}
    index = []
    for m in OUT:
        n[m.folder] = n.get(m.folder, 0) + 1
        name = "%03d.eml" % n[m.folder]
        d = os.path.join(outdir, m.folder)
        os.makedirs(d, exist_ok=True)
        data = m.render()
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
        index.append((m.folder, name, m, data))
        if m is contract:
            os.makedirs(os.path.join(outdir, "Archive"), exist_ok=True)
            n["Archive"] = n.get("Archive", 0) + 1
            aname = "%03d.eml" % n["Archive"]
            with open(os.path.join(outdir, "Archive", aname), "wb") as f:
                f.write(data)
            index.append(("Archive", aname, m, data))
    idx = os.path.join(os.path.dirname(os.path.abspath(outdir)), "index.tsv")
    with open(idx, "w") as f:
        f.write("folder\tfile\tmessage_id\tfrom\tdate_utc\tsubject\n")
        for folder, name, m, _data in index:
            f.write("%s\t%s\t%s\t%s\t%s\t%s\n" % (
                folder, name, m.msgid, PEOPLE[m.sender][1].lower(),
                when(m.sender, m.stamp).astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                m.subject))
    return index


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    outdir = argv[0] if argv else os.path.join(here, "mail")
    tomas(); elin(); jonah()
    contract = priya()
    samuel(); hannah(); ravi(); others(); mailing_list(); bulk(); cold()
    index = write(outdir, contract)
    by = {}
    for folder, *_ in index:
        by[folder] = by.get(folder, 0) + 1
    print("%d files, %d distinct messages: %s" % (len(index), len(OUT),
          ", ".join("%s %d" % kv for kv in sorted(by.items()))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
