# bench/synth_db.sh: what the benchmarks on a synthetic database share.
# Source it; then:
#
#   bench_args "$@"    parses [BUILD_DIR] [--messages N] [--people P]
#                      [--runs R] [--dir D] over the defaults the caller
#                      set in build, messages, people, runs, dir; sets
#                      kith and synth (exits 2 when they are not built)
#   bench_db NAME [SYNTH_ARGS...]
#                      the database of $messages messages and $people
#                      people in $dir (default TMPDIR/kith-NAME-M-P), built
#                      once by tests/tools/kith-synth and kept; sets conf
bench_args() {
	while [ $# -gt 0 ]; do
		case "$1" in
		--messages) messages=$2; shift 2 ;;
		--people) people=$2; shift 2 ;;
		--runs) runs=$2; shift 2 ;;
		--dir) dir=$2; shift 2 ;;
		*) build=$1; shift ;;
		esac
	done
	case "$build" in /*) ;; *) build=$top/$build ;; esac
	kith=$build/kith synth=$build/tools/kith-synth
	[ -x "$kith" ] && [ -x "$synth" ] || { echo "build kith and tools first (make tests)"; exit 2; }
}

bench_db() {
	local name=$1; shift
	dir=${dir:-${TMPDIR:-/tmp}/kith-$name-$messages-$people}
	mkdir -p "$dir"
	conf=$dir/kith.conf
	cat >"$conf" <<CONF
data_dir = "$dir/data";
runtime_dir = "$dir/run";
tasks_dir = "$dir/tasks";
identities = [ "me@synth.example" ];
CONF
	# one kept from an older kith (another schema version) is built again
	if [ -e "$dir/done" ] && ! "$kith" -c "$conf" status >/dev/null 2>&1; then
		echo "the kept database does not open with this kith: building it again"
		rm -f "$dir/done"
	fi
	if [ ! -s "$dir/data/kith.db" ] || [ ! -e "$dir/done" ]; then
		rm -rf "$dir/data"
		echo "building $messages messages, $people people in $dir (once) ..."
		local start=$(date +%s)
		"$synth" "$dir/data" --messages "$messages" --people "$people" "$@" || exit 1
		echo "built in $(( $(date +%s) - start )) s, $(du -sh "$dir/data" | cut -f1)"
		touch "$dir/done"
	fi
}
