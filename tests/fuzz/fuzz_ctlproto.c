/* fuzz_ctlproto.c: libFuzzer target for the control-socket protocol.
 *
 *   clang -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
 *     -Ilib tests/fuzz/fuzz_ctlproto.c lib/ctlproto.c
 *
 * Decoders take any bytes; the encoder's output always fits, never holds a
 * control character other than newline and tab, and decodes back.
 */
#include "ctlproto.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_safe(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char b = (unsigned char)s[i];
		if ((b < 0x20 && b != '\n' && b != '\t') || b == 0x7f)
			__builtin_trap();
		if (b == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
		    (unsigned char)s[i + 1] <= 0x9f)
			__builtin_trap();
	}
}

static void roundtrip(const char *text, size_t cap, int ok)
{
	char *wire = malloc(cap), back[4096];
	int n, ok2 = -1;

	if (!wire)
		return;
	n = kith_ctl_encode_reply(ok, text, wire, cap);
	if (cap < 16 ? n != -ENOSPC : (n <= 0 || (size_t)n >= cap || wire[n] != '\0'))
		__builtin_trap();
	if (n > 0) {
		check_safe(wire, (size_t)n);
		if (wire[n - 1] != '\n')
			__builtin_trap();
		if (kith_ctl_decode_reply(wire, (size_t)n, &ok2, back, sizeof(back)) != 0 || ok2 != ok)
			__builtin_trap();
		check_safe(back, strlen(back));
	}
	free(wire);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum kith_ctl_cmd cmd;
	char text[4096], *str;
	int ok, r;

	r = kith_ctl_decode_request((const char *)data, size, &cmd);
	if (r == 0 && !kith_ctl_cmd_name(cmd))
		__builtin_trap();
	if (r != 0 && r != -EAGAIN && r != -EINVAL && r != -E2BIG)
		__builtin_trap();
	r = kith_ctl_decode_reply((const char *)data, size, &ok, text, sizeof(text));
	if (r == 0)
		check_safe(text, strlen(text));
	if (size > 8192 || !(str = malloc(size + 1)))
		return 0;
	memcpy(str, data, size);
	str[size] = '\0';
	roundtrip(str, size ? (size_t)data[0] + 1 : 16, size & 1);
	roundtrip(str, 8192, 1);
	free(str);
	return 0;
}
