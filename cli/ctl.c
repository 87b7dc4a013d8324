/* ctl.c: the client side of kithd's control socket: `kith sync`, `kith
 * reload`, and the liveness probe `kith status` uses.  Protocol: one
 * request line, one reply, the server closes (lib/ctlproto.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "ctlclient.h"

#define CTL_TIMEOUT_MS 10000

/* Why: "kithd is not running" (69) covers every way of not reaching it: no
 * socket, a stale socket nobody listens on, no runtime dir, or a reply that
 * never comes.  The socket work itself is ctlclient.c's. */
int cli_ctl(struct cli *c, const char *cmd, char *reply, size_t len, int *ok)
{
	char *text = NULL;
	int r = cli_config(c);

	if (r)
		return r;
	if (!c->cfg->runtime_dir)
		return EX_UNAVAIL;
	r = kith_ctl_call(c->cfg->runtime_dir, cmd, CTL_TIMEOUT_MS, ok, &text);
	if (r == -EINVAL)
		return EX_USAGE_;
	if (r < 0)
		return EX_UNAVAIL;
	snprintf(reply, len, "%s", text ? text : "");
	free(text);
	return 0;
}

static int ctl_command(struct cli *c, int argc, const char *cmd, const char *done)
{
	char reply[4096] = "";
	int ok = 0, r;

	if (argc != 1)
		return cli_help_cmd(c->cmd, stderr), EX_USAGE_;
	r = cli_ctl(c, cmd, reply, sizeof(reply), &ok);
	if (r == EX_UNAVAIL) {
		cli_err(c, "kithd is not running (no answer on %s/control)",
			c->cfg && c->cfg->runtime_dir ? c->cfg->runtime_dir : "?");
		return r;
	}
	if (r)
		return r;
	if (!ok) {
		cli_err(c, "kithd refused: %s", reply[0] ? reply : "(no reason given)");
		return EX_NOTFOUND;
	}
	printf("%s\n", reply[0] ? reply : done);
	return 0;
}

int cmd_sync(struct cli *c, int argc, char **argv)
{
	return ctl_command(c, argc, "sync", "sync started");
}

int cmd_reload(struct cli *c, int argc, char **argv)
{
	return ctl_command(c, argc, "reload", "configuration reloaded");
}
