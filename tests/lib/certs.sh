# tests/lib/certs.sh: test-time certificates, made with certtool (gnutls-bin).
#
#   kt_certs_make DIR
#
# writes into DIR (all PEM):
#   ca.pem ca.key                 the test CA that clients trust
#   server.pem server.key         good: CN localhost, SAN 127.0.0.1 + localhost
#   wronghost.pem wronghost.key   signed by the CA, but only for wrong.example
#   expired.pem expired.key       signed by the CA for 127.0.0.1, expired in 2020
#   rogue-ca.pem                  a CA nobody trusts
#   unknown.pem unknown.key       for 127.0.0.1, signed by rogue-ca
# Nothing here is a secret: the keys exist only for the test run.

kt__cert_template() { # file cn [extra lines...]
	local f=$1 cn=$2; shift 2
	{
		echo "organization = kith test"
		echo "cn = $cn"
		local l
		for l in "$@"; do echo "$l"; done
	} >"$f"
}

kt__certtool() {
	local out
	if ! out=$(certtool "$@" 2>&1); then
		echo "certtool $* failed: $out" >&2
		return 1
	fi
}

kt__make_ca() { # dir name
	local d=$1 n=$2
	kt__certtool --generate-privkey --key-type=ecdsa --outfile "$d/$n.key" || return 1
	kt__cert_template "$d/$n.tmpl" "kith test CA $n" "ca" "cert_signing_key" \
		"expiration_days = 30"
	kt__certtool --generate-self-signed --load-privkey "$d/$n.key" \
		--template "$d/$n.tmpl" --outfile "$d/$n.pem" || return 1
}

kt__make_leaf() { # dir name ca-name cn [template lines]
	local d=$1 n=$2 ca=$3 cn=$4; shift 4
	kt__certtool --generate-privkey --key-type=ecdsa --outfile "$d/$n.key" || return 1
	kt__cert_template "$d/$n.tmpl" "$cn" "tls_www_server" "signing_key" \
		"encryption_key" "$@"
	kt__certtool --generate-certificate --load-privkey "$d/$n.key" \
		--load-ca-certificate "$d/$ca.pem" --load-ca-privkey "$d/$ca.key" \
		--template "$d/$n.tmpl" --outfile "$d/$n.pem" || return 1
}

kt_certs_make() {
	local d=$1
	mkdir -p "$d" || return 1
	command -v certtool >/dev/null || { echo "certtool missing (gnutls-bin)" >&2; return 1; }
	kt__make_ca "$d" ca || return 1
	kt__make_leaf "$d" server ca localhost "dns_name = localhost" \
		"ip_address = 127.0.0.1" "expiration_days = 30" || return 1
	kt__make_leaf "$d" wronghost ca wrong.example "dns_name = wrong.example" \
		"expiration_days = 30" || return 1
	kt__make_leaf "$d" expired ca localhost "dns_name = localhost" \
		"ip_address = 127.0.0.1" "activation_date = \"2019-01-01 00:00:00 UTC\"" \
		"expiration_date = \"2020-01-01 00:00:00 UTC\"" || return 1
	kt__make_ca "$d" rogue-ca || return 1
	kt__make_leaf "$d" unknown rogue-ca localhost "dns_name = localhost" \
		"ip_address = 127.0.0.1" "expiration_days = 30" || return 1
	rm -f "$d"/*.tmpl
	chmod 0644 "$d"/*.pem
	chmod 0600 "$d"/*.key
}
