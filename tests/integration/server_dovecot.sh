#!/usr/bin/env bash
# server_dovecot.sh: kithd's end-to-end set against a private dovecot
# (see tests/lib/servermatrix.sh for the features and the MATRIX lines).
# kith-test: nosan (heavy: a real server and a 20,000-message kill test;
# the same kithd code runs under the sanitizer in imap_* and e2e_*)
exec "${KITH_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/servermatrix.sh" dovecot
