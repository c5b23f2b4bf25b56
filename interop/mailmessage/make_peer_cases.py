#!/usr/bin/env python3
"""Writes the hand-made edge cases of fixtures/eml-peer/ that PythonEmailDifferentialTests feeds to
MailMessage and to Python's email package (email_peer.py): encoded words split across folds and
adjacent, Q underscores, unknown charsets, RFC 2231 continuations, nested multiparts, delimiter
padding, base64 and quoted-printable variants, raw UTF-8 headers, groups, comments, obsolete and
impossible dates, odd header lines, long lines, mixed line endings, odd Content-Type values.
Run from anywhere; it rewrites the files in place (CRLF unless a case says otherwise)."""
import os
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "fixtures", "eml-peer")
os.makedirs(out, exist_ok=True)
H = "From: alice@example.com\r\nTo: bob@example.org\r\nDate: Tue, 2 Jan 2024 03:04:05 +0000\r\nMessage-ID: <peer@example.com>\r\n"
def w(name, text, crlf=True):
    data = text.encode("utf-8") if isinstance(text, str) else text
    if crlf:
        data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    open(os.path.join(out, name), "wb").write(data)

w("ew-split-fold.eml", H + "Subject: =?utf-8?q?caf=C3?=\r\n =?utf-8?q?=A9_cr=C3=A8me?=\r\n\tend\r\n\r\nx\r\n")
w("ew-adjacent-space.eml", H + "Subject: =?utf-8?q?a?= =?UTF-8?Q?b?=  =?utf-8?b?Yw==?= d =?utf-8?q?e?= f\r\nX-Words: x =?iso-8859-1?q?=E9?=\t=?utf-8?q?=C3=A9?= y\r\n\r\nx\r\n")
w("ew-q-underscore.eml", H + "Subject: =?iso-8859-1?q?this_is_=5Fsome=3F_text?=\r\nX-Mixed-Case: =?ISO-8859-1?Q?caf=e9?=\r\n\r\nx\r\n")
w("ew-unknown-charset.eml", H + "Subject: =?x-made-up?q?plain_ascii?= and =?utf-8?q?ok?=\r\nX-Lang: =?utf-8*en?q?with_language?=\r\n\r\nx\r\n")
w("ew-bad-base64.eml", H + "Subject: =?utf-8?b?Y2Fmw6k?= / =?utf-8?b?Y2Fmw6k=?=\r\n\r\nx\r\n")
w("ew-in-display-name.eml", "From: =?utf-8?q?Jos=C3=A9?= Garcia <jose@example.com>\r\nTo: \"=?utf-8?q?Ren=C3=A9e?=\" <renee@example.org>, =?utf-8?b?0JjQstCw0L0=?= <ivan@example.ru>\r\nSubject: names\r\n\r\nx\r\n")
w("rfc2231-continuations.eml", H + """Subject: rfc2231
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b"

--b
Content-Type: application/octet-stream;
 name*0*=utf-8''%E2%82%AC%20long%20;
 name*1*=name%20;
 name*2="part three.bin"
Content-Disposition: attachment;
 filename*0*=utf-8''%E2%82%AC%20long%20;
 filename*1*=name%20;
 filename*2="part three.bin"

AAAA
--b
Content-Type: text/plain; title*0*=us-ascii'en'This%20is%20even%20more%20;
 title*1*=%2A%2A%2Afun%2A%2A%2A%20; title*2="isn't it!"
Content-Disposition: attachment; filename="fallback.txt"; filename*=iso-8859-1''caf%E9.txt

text
--b
Content-Type: application/octet-stream; name*1="second"; name*0="first-"
Content-Disposition: attachment; filename*0="50%25"; filename*1=".txt"

data
--b--
""")
w("nested-alternative.eml", H + """Subject: nested
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="outer"

This is the preamble.
--outer
Content-Type: multipart/alternative; boundary="outerx"

--outerx
Content-Type: text/plain; charset=utf-8

plain =C3=A9
--outerx
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: quoted-printable

<p>html =C3=A9</p>
--outerx--
--outer
Content-Type: image/png; name=dot.png
Content-Transfer-Encoding: base64

iVBORw0KGgo=
--outer--
This is the epilogue.
""")
w("boundary-whitespace.eml", H + "Subject: padding\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"sep\"\r\n\r\n--sep  \t\r\nContent-Type: text/plain\r\n\r\none\r\n--sep \r\n\r\ntwo\r\n--sep-- trailing words\r\nepilogue\r\n")
w("boundary-quoted-spaces.eml", H + "Subject: spaces in boundary\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"a b:c=d\"\r\n\r\npre\r\n--a b:c=d\r\n\r\none\r\n--a b:c=d--\r\n")
w("base64-variants.eml", H + """Subject: base64
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b"

--b
Content-Type: application/octet-stream
Content-Transfer-Encoding: base64

aGVs
bG8g
d29y
bGQ
--b
Content-Type: application/octet-stream
Content-Transfer-Encoding: BASE64

aGVsbG8gd29ybGQ=

--b
Content-Type: application/octet-stream
Content-Transfer-Encoding: base64

aGVs bG8g d29y bGQh
--b
Content-Type: application/octet-stream
Content-Transfer-Encoding: base64

aGVsbG8gd29ybGQ
--b--
""")
w("qp-variants.eml", H + "Subject: qp\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nsoft=\r\nbreak and =c3=a9 lower and =C3=A9 upper\r\nequals =3D and bad =4 and =zz kept\r\nsoft with space=  \r\nnext\r\nend=\r\n")
w("qp-lf.eml", H + "Subject: qp lf\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\nsoft=\nbreak caf=C3=A9\nlast line\n", crlf=False)
w("utf8-headers.eml", "From: \"José Núñez\" <jose@example.com>\r\nTo: Zoë <zoe@example.org>\r\nSubject: Grüße aus Köln – ☃\r\nX-Note: naïve\r\nDate: Tue, 2 Jan 2024 03:04:05 +0000\r\n\r\nx\r\n")
w("address-groups.eml", "From: alice@example.com\r\nTo: undisclosed-recipients:;\r\nCc: A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;, after@x.test\r\nBcc: (Empty list)(start)Hidden recipients  :(nobody(that I know))  ;\r\nSubject: groups\r\n\r\nx\r\n")
w("address-comments.eml", "From: Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>\r\nTo:A Group(Some people)\r\n     :Chris Jones <c@(Chris's host.)public.example>,\r\n         joe@example.org,\r\n  John <jdoe@one.test> (my dear friend); (the end of the group)\r\nCc: \"Giant; \\\"Big\\\" Box\" <sysservices@example.net>, Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>\r\nReply-To: \"Joe Q. Public\" <john.q.public@example.com>\r\nSender: \"ab\"@example.com\r\nSubject: comments\r\n\r\nx\r\n")
w("address-odd.eml", "From: <>\r\nTo: a@example.com, , b@example.com,\r\nCc: user@[192.168.0.1], \"a b\"@example.com, \"x\\\\y\"@example.com\r\nReply-To: Mary Smith <@node.test:mary@example.net>\r\nSubject: odd\r\n\r\nx\r\n")
dates = [
    "Tue, 2 Jan 24 03:04:05 EST", "2 Jan 2024 03:04 -0500", "Tue, 2 Jan 2024 03:04:05 -0000",
    "Sat,  2 Jan 1999 03:04:05 +0100 (CET)", "Thu, 1 Jan 70 00:00:00 GMT", "Mon, 1 Jan 49 00:00:00 +0000",
    "Sun, 1 Jan 50 00:00:00 +0000", "Sat, 1 Jan 124 00:00:00 +0000", "Tue, 2 Jan 2024 3:4:5 +0130",
    "Tue, 2 Jan 2024 03:04:05 PDT", "Tue, 2 Jan 2024 03:04:05 UT", "Thu, 31 Feb 2024 03:04:05 +0000",
    "Fri, 30 Feb 2024 03:04:05 +0000", "Thu, 29 Feb 2024 03:04:05 +0000", "Thu, 29 Feb 2023 03:04:05 +0000",
    "Tue, 31 Apr 2024 03:04:05 +0000", "Tue, 2 Jan 2024 24:00:00 +0000", "Tue, 2 Jan 2024 03:04:05 +2400",
    "Tue, 2 Jan 2024 03:04:05 -1200", "Tue, 02 Jan 2024 03:04:05 CST", "Tue, 2 jan 2024 03:04:05 +0000",
    "2 January 2024 03:04:05 +0000",
]
for i, d in enumerate(dates):
    w("date-%02d.eml" % i, "From: a@example.com\r\nSubject: date %d\r\nDate: %s\r\n\r\nx\r\n" % (i, d))
w("headers-odd.eml", "From: a@example.com\r\nX-Empty:\r\nX-Spaces:    \r\nX-Fold: one\r\n  two\r\n\tthree\r\nX-Under_score.dot: v\r\nSubject: first\r\nSubject: second\r\n\r\nbody\r\n")
w("header-no-colon-middle.eml", "From: a@example.com\r\nSubject: before\r\nThis line has no colon\r\nX-After: after\r\n\r\nbody\r\n")
w("long-lines.eml", "From: a@example.com\r\nSubject: " + ("word " * 4000).strip() + "\r\nX-Long: " + "x" * 20000 + "\r\n\r\n" + "y" * 100000 + "\r\n")
w("mixed-line-endings.eml", "From: a@example.com\r\nSubject: mixed\nX-Other: value\r\n\nbody line one\r\nline two\n", crlf=False)
w("filename-backslash.eml", H + "Subject: backslash\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: application/octet-stream; name=\"C:\\dir\\evil.exe\"\r\nContent-Disposition: attachment; filename=\"C:\\dir\\evil.exe\"\r\n\r\nMZ\r\n--b\r\nContent-Type: application/octet-stream; name=\"say \\\"hi\\\".txt\"\r\nContent-Disposition: attachment; filename=\"say \\\"hi\\\".txt\"\r\n\r\nhi\r\n--b--\r\n")
w("content-type-odd.eml", (H + "Subject: odd types\r\nMIME-Version: 1.0\r\nContent-Type: MULTIPART/Mixed (comment); BOUNDARY=\"B\"; Foo=Bar\r\n\r\n--B\r\nContent-Type: TEXT/PLAIN; CHARSET=\"ISO-8859-1\"\r\nContent-Transfer-Encoding: Quoted-Printable\r\n\r\ncaf=E9\r\n--B\r\nContent-Type: text/plain; charset=latin1\r\n\r\n\xe9t\xe9\r\n--B\r\nContent-Type: text/html; charset=\"utf-8\"; format=flowed\r\nContent-Disposition: INLINE\r\n\r\n<b>x</b>\r\n--B\r\nContent-Type: text/plain; charset=windows-1251\r\nContent-Transfer-Encoding: base64\r\n\r\n8PPx8ero6Q==\r\n--B--\r\n").encode("latin-1").replace(b"\xc3\xa9", b"\xe9"))
w("prefix-boundaries.eml", H + "Subject: prefixes\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"abc\"\r\n\r\n--abc\r\nContent-Type: multipart/alternative; boundary=\"abcd\"\r\n\r\n--abcd\r\n\r\ninner one\r\n--abcd\r\n\r\ninner two\r\n--abcd--\r\n--abc\r\n\r\nouter two\r\n--abc--\r\n")
w("part-no-blank-line.eml", H + "Subject: part without body\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n--b\r\n\r\nsecond\r\n--b\r\nno headers here\r\n--b--\r\n")
w("message-ids.eml", "From: a@example.com\r\nSubject: ids\r\nMessage-ID:   < spaced@example.com >  (comment)\r\n\r\nx\r\n")
w("message-id-bare.eml", "From: a@example.com\r\nSubject: ids\r\nMessage-ID: bare@example.com\r\n\r\nx\r\n")
w("message-id-quoted.eml", "From: a@example.com\r\nSubject: ids\r\nMessage-ID: <\"quoted local\"@example.com>\r\n\r\nx\r\n")
w("address-spoof.eml", "From: support@bank.test <phish@evil.test>\r\nTo: Bank <ok@bank.test> <phish@evil.test>\r\nCc: a@example.com; b@example.com\r\nReply-To: John Doe <john@example.com\r\nSubject: spoof\r\n\r\nx\r\n")
w("address-missing-comma.eml", "From: a@example.com\r\nTo: \"A\" <a@example.com> \"B\" <b@example.com>\r\nCc: Doe, Jane <jane@example.com>\r\nSubject: commas\r\n\r\nx\r\n")
w("fold-blank-continuation.eml", "From: a@example.com\r\nSubject: first\r\n \r\n second\r\nX-After: yes\r\n\r\nx\r\n")
w("ew-in-parens.eml", H + "Subject: (=?utf-8?q?caf=C3=A9?=) [=?utf-8?q?b?=]\r\nX-Glued: foo=?utf-8?q?bar?=baz\r\nX-Spaced: =?utf-8?q?hello world?=\r\n\r\nx\r\n")
w("ct-missing-semicolon.eml", H + "Subject: missing semicolon\r\nMIME-Version: 1.0\r\nContent-Type: text/html charset=utf-8\r\n\r\n<p>hello</p>\r\n")
w("ct-quoted-type.eml", H + "Subject: quoted type\r\nMIME-Version: 1.0\r\nContent-Type: \"text/html\"; charset=utf-8\r\n\r\n<p>hello</p>\r\n")
w("ct-duplicate-params.eml", H + "Subject: duplicate params\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=iso-8859-1; charset=utf-8\r\n\r\ncaf\xc3\xa9\r\n")
w("ct-three-slashes.eml", H + "Subject: odd subtype\r\nMIME-Version: 1.0\r\nContent-Type: text/plain/extra; charset=utf-8\r\n\r\nhi\r\n")
w("ct-spaces-around-slash.eml", H + "Subject: spaces\r\nMIME-Version: 1.0\r\nContent-Type: text / html ; charset = \"utf-8\"\r\n\r\n<p>hi</p>\r\n")
w("ct-trailing-space-boundary.eml", H + "Subject: trailing space boundary\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"abc \"\r\n\r\n--abc \r\n\r\none\r\n--abc --\r\n")
w("ct-duplicate-headers.eml", H + "Subject: two content types\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>hi</p>\r\n")
w("utf16-text.eml", H + "Subject: utf-16\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-16\r\nContent-Transfer-Encoding: base64\r\n\r\n//5oAGkAIADpAA==\r\n")
w("message-global.eml", H + "Subject: global\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: message/global\r\n\r\nSubject: inner caf\xc3\xa9\r\nFrom: x@example.com\r\n\r\ninner body\r\n--b\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner two\r\n\r\nsecond\r\n--b--\r\n")
w("cte-comment.eml", H + "Subject: cte comment\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64 (encoded)\r\n\r\naGk=\r\n")
w("charsets-misc.eml", (H + "Subject: =?koi8-r?b?8NLJ18XU?= =?big5?b?pKSk5Q==?= =?iso-2022-jp?b?GyRCRnxLXDhsGyhC?= =?gb2312?b?1tDOxA==?=\r\nX-Euc: =?euc-jp?b?xvzL3A==?= =?windows-1252?q?=80=93?=\r\n\r\nx\r\n"))
w("disposition-missing-semicolon.eml", H + "Subject: disposition\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nbody\r\n--b\r\nContent-Type: text/plain\r\nContent-Disposition: attachment filename=evil.txt\r\n\r\nattached\r\n--b\r\nContent-Type: text/plain\r\nContent-Disposition: INLINE ; filename=\"a.txt\"\r\n\r\ninline\r\n--b--\r\n")
w("leading-continuation.eml", "  folded: first line\r\nFrom: a@example.com\r\nSubject: after a leading continuation\r\n\r\nbody\r\n")
w("space-before-colon.eml", "From: a@example.com\r\nSubject : spaced name\r\nX-Tab\t: tabbed\r\n\r\nbody\r\n")
w("encoded-word-iso2022.eml", H + "Subject: =?iso-2022-jp?b?GyRCJDMbKEI=?= =?ISO-2022-JP?B?GyRCJHMbKEI=?= =?iso-2022-jp?q?=1B$B$K$A$O=1B(B?=\r\n\r\nx\r\n")
w("header-nul.eml", "From: a@example.com\r\nSubject: nul\x00inside\r\nX-After: yes\r\n\r\nbody\r\n")
w("digest-mixed.eml", H + "Subject: digest\r\nMIME-Version: 1.0\r\nContent-Type: multipart/digest; boundary=d\r\n\r\n--d\r\n\r\nSubject: one\r\n\r\nfirst\r\n--d\r\nContent-Type: text/plain\r\n\r\nnot a message\r\n--d--\r\n")
w("rfc2231-no-charset.eml", H + "Subject: 2231\r\nMIME-Version: 1.0\r\nContent-Type: application/octet-stream; name*=''plain%20name.bin; x*0*=%41; x*1*=%42\r\nContent-Disposition: attachment; filename*0*=utf-8'en'a%20; filename*2*=c; filename*1*=b%20\r\n\r\ndata\r\n")
w("alternative-in-related.eml", H + "Subject: related\r\nMIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=r; type=\"multipart/alternative\"\r\n\r\n--r\r\nContent-Type: multipart/alternative; boundary=a\r\n\r\n--a\r\nContent-Type: text/plain; charset=\"us-ascii\"\r\n\r\nplain\r\n--a\r\nContent-Type: text/html; charset=us-ascii\r\n\r\n<img src=\"cid:x@y\">\r\n--a--\r\n\r\n--r\r\nContent-Type: image/gif\r\nContent-ID: <x@y>\r\nContent-Disposition: inline\r\nContent-Transfer-Encoding: base64\r\n\r\nR0lGODlhAQABAAAAACw=\r\n--r--\r\n")
w("base64-concatenated.eml", H + "Subject: concatenated base64\r\nMIME-Version: 1.0\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\naGVsbG8=\r\nd29ybGQ=\r\n")
