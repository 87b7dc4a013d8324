/* fuzz_config.c: libFuzzer target for kith.conf loading and validation.
 *
 *   clang -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
 *     -Ilib -Iconfig -Isource -Idaemon tests/fuzz/fuzz_config.c config/config.c -lconfig
 *
 * Any input must give 0 with a config, or an error with a "NAME:" message;
 * never a crash, a leak or an empty message.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kith_config *c = NULL;
	char err[512] = "", *text;
	int r;

	if (size > 65536)
		return 0;
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	/* @include would read arbitrary files (even /dev/stdin): not our code */
	if (strstr(text, "@include")) {
		free(text);
		return 0;
	}
	setenv("HOME", "/nonexistent-home", 1);
	r = kith_config_load_string(text, "fuzz.conf", &c, err, sizeof(err));
	if (r == 0 && (!c || !c->data_dir || !c->tasks_dir || !c->runtime_dir))
		__builtin_trap();
	if (r < 0 && (c || strncmp(err, "fuzz.conf", 9) != 0))
		__builtin_trap();
	kith_config_free(c);
	free(text);
	return 0;
}
