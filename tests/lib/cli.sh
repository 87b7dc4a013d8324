# tests/lib/cli.sh: the set-up the cli_*.sh scripts share (source it after
# common.sh).
#
#   kt_cli_setup SYNTH_ARGS...: skips unless kith and kith-synth are built;
#     then a config for a synthetic database (identity me@synth.example) in
#     a new temporary folder, and the database itself, made by kith-synth
#     with SYNTH_ARGS.  Sets K (kith), SYNTH (kith-synth), T (the folder),
#     C (the -c option, an array: "$K" "${C[@]}" people) and DB.
kt_cli_setup() {
	kt_need_tools sqlite3 python3
	K=$KITH_BUILD/kith SYNTH=$KITH_BUILD/tools/kith-synth
	[ -x "$K" ] && [ -x "$SYNTH" ] || kt_skip "no kith or kith-synth in $KITH_BUILD"
	T=$(kt_tmpdir)
	cat >"$T/kith.conf" <<CONF
data_dir = "$T/data";
runtime_dir = "$T/run";
tasks_dir = "$T/tasks";
identities = [ "me@synth.example" ];
CONF
	C=(-c "$T/kith.conf")
	"$SYNTH" "$T/data" "$@" >/dev/null || kt_die "kith-synth failed"
	DB=$T/data/kith.db
}
