#!/usr/bin/env bash
# config_errors.sh: broken configurations are refused before anything starts,
# each with "FILE:LINE: what is wrong" on stderr and exit status 78; good
# ones pass; a config readable by others draws a warning.
#
# Uses `kithd -n -c FILE`, and the test tool kith-confcheck as well when built.
set -u
: "${KITH_BUILD:?}"
tmp=$(mktemp -d /tmp/kith-config-errors.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export HOME=$tmp/home XDG_CONFIG_HOME=$tmp/home/.config XDG_DATA_HOME=$tmp/home/.local/share
mkdir -p "$HOME"
fails=0
checkers=()
[ -x "$KITH_BUILD/kithd" ] && checkers+=("$KITH_BUILD/kithd -n -c")
[ -x "$KITH_BUILD/tools/kith-confcheck" ] && checkers+=("$KITH_BUILD/tools/kith-confcheck -c")
if [ ${#checkers[@]} -eq 0 ]; then echo "neither kithd nor kith-confcheck is built"; exit 77; fi

printf 'secret\n' > "$tmp/pw-open"; chmod 0644 "$tmp/pw-open"
printf 'secret\n' > "$tmp/pw-ok"; chmod 0600 "$tmp/pw-ok"
A='accounts = ( { name = "w"; host = "imap.example.org"; user = "u";'

n=0
# expect LINE SUBSTRING CONFIG-TEXT
expect() {
	local line=$1 want=$2 text=$3 f out rc
	n=$((n + 1)); f=$tmp/case$n.conf
	printf '%s\n' "$text" > "$f"; chmod 0600 "$f"
	for c in "${checkers[@]}"; do
		out=$($c "$f" 2>&1 >/dev/null); rc=$?
		if [ $rc -ne 78 ]; then
			echo "FAIL case $n ($want): $c exited $rc, want 78: $out"; fails=$((fails + 1))
		elif [[ "$out" != "$f:$line: "*"$want"* ]]; then
			echo "FAIL case $n: got '$out', want '$f:$line: ...$want...'"; fails=$((fails + 1))
		else
			echo "ok   case $n: $out"
		fi
	done
}

expect 2 "unknown key 'pol_interval' in the top level (did you mean 'poll_interval'?)" \
	$'# typo\npol_interval = 60;'
expect 1 "'poll_interval' must be an integer, not a string" 'poll_interval = "5m";'
expect 1 "'poll_interval' must be between 10 and 86400 (got 0)" 'poll_interval = 0;'
expect 1 "'half_life_days' must be a number" 'half_life_days = "long";'
expect 1 "'strip_plus_tags' must be true or false" 'strip_plus_tags = "yes";'
expect 1 "not an e-mail address" 'identities = [ "me" ];'
expect 2 "did you mean 'horizon_days'" $'followups = {\n  horizn_days = 10; };'
expect 3 "'wider' must be between 1 and 3650" $'followups = {\n cadence = {\n  wider = 0; }; };'
expect 2 "syntax error" $'a = 1;\nb = ;'
expect 1 "account is missing 'host'" 'accounts = ( { name = "w"; user = "u"; pass_cmd = "x"; } );'
expect 1 "an account is missing 'name'" 'accounts = ( { host = "h"; user = "u"; pass_cmd = "x"; } );'
expect 1 "account is missing 'user'" 'accounts = ( { name = "w"; host = "h"; pass_cmd = "x"; } );'
expect 1 "needs one of pass_cmd, pass_file or oauth2_token_cmd" "$A } );"
expect 1 "more than one of pass_cmd, pass_file, oauth2_token_cmd" "$A pass_cmd = \"x\"; oauth2_token_cmd = \"y\"; } );"
expect 2 "unknown key 'hots' in an account (did you mean 'host'?)" "$A"$'\n hots = "x"; pass_cmd = "x"; } );'
expect 2 "tls = \"none\" is allowed only for loopback hosts" "$A pass_cmd = \"x\";"$'\n tls = "none"; } );'
expect 2 'tls must be "implicit", "starttls" or "none"' "$A pass_cmd = \"x\";"$'\n tls = "ssl"; } );'
expect 2 "'port' must be between 1 and 65535" "$A pass_cmd = \"x\";"$'\n port = 0; } );'
expect 2 "ca_file '$tmp/none.pem' is not readable" "$A pass_cmd = \"x\";"$'\n'"ca_file = \"$tmp/none.pem\"; } );"
expect 2 "has mode 0644; it must be 0600 or stricter" "$A"$'\n'"pass_file = \"$tmp/pw-open\"; } );"
expect 2 "two accounts are named 'w'" "$A pass_cmd = \"x\"; },"$'\n'" { name = \"w\"; host = \"h\"; user = \"u\"; pass_cmd = \"x\"; } );"
expect 2 "did you mean 'exclude'" "$A pass_cmd = \"x\";"$'\n folders = { exlude = [ "Junk" ]; }; } );'
expect 1 "needs at least one address" 'people = ( { name = "Ana"; } );'
expect 1 "only '~/' is supported" 'data_dir = "~ana/kith";'

# A good config passes, and the pass_file that is 0600 is accepted.
good=$tmp/good.conf
cat > "$good" <<CONF
data_dir = "~/.local/share/kith";
identities = [ "me@example.org" ];
accounts = ( { name = "w"; host = "127.0.0.1"; port = 10143; tls = "none"; user = "u";
               pass_file = "$tmp/pw-ok"; } );
CONF
chmod 0600 "$good"
for c in "${checkers[@]}"; do
	if ! out=$($c "$good" 2>&1); then echo "FAIL good config refused by $c: $out"; fails=$((fails + 1)); fi
	if [[ "$out" == *warning* ]]; then echo "FAIL good 0600 config warned: $out"; fails=$((fails + 1)); fi
done

# A missing file: 78 too, naming the file.
for c in "${checkers[@]}"; do
	out=$($c "$tmp/absent.conf" 2>&1); rc=$?
	[ $rc -eq 78 ] && [[ "$out" == *"$tmp/absent.conf"* ]] || {
		echo "FAIL missing file: rc=$rc out=$out"; fails=$((fails + 1)); }
done

# Readable by others: accepted with a warning (shown by kith-confcheck);
# writable by others: refused.
if [ -x "$KITH_BUILD/tools/kith-confcheck" ]; then
	chmod 0644 "$good"
	out=$("$KITH_BUILD/tools/kith-confcheck" -c "$good" 2>&1 >/dev/null); rc=$?
	[ $rc -eq 0 ] && [[ "$out" == *"readable by group or others"* ]] || {
		echo "FAIL 0644 config: rc=$rc, want 0 and a warning: $out"; fails=$((fails + 1)); }
fi
chmod 0666 "$good"
for c in "${checkers[@]}"; do
	out=$($c "$good" 2>&1); rc=$?
	[ $rc -eq 78 ] && [[ "$out" == *"writable by others"* ]] || {
		echo "FAIL 0666 config: rc=$rc out=$out"; fails=$((fails + 1)); }
done

echo "$n broken configs x ${#checkers[@]} checkers, $fails failures"
[ $fails -eq 0 ]
