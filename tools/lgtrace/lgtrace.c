// SPDX-License-Identifier: MIT
/*
 * lgtrace: page faults, swap-ins, swap-outs, mmap_lock waits, io_uring
 * madvise requests and how the faults after prefetch hints went, of one
 * process, per lgalloc pool (size class), from CO-RE BPF programs
 * (lgtrace.bpf.c).
 *
 *   sudo lgtrace -p PID [-i SEC] [-d SEC] [-H] [--json]
 *   sudo lgtrace [options] -- CMD ARGS
 *
 * Pool attribution needs the address ranges of lgalloc's areas: the
 * lgalloc:area_map USDT probe reports the ones mapped while lgtrace is
 * attached, the library's area registry (read from the target with
 * process_vm_readv) the ones mapped before.  A command is started gated:
 * forked, held on a pipe until the tracepoints are attached, then stopped
 * at its ELF entry point by a uprobe (libraries loaded, main not yet run)
 * while the USDT probe is attached to whatever liblgalloc it loaded.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <linux/capability.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "lgtrace.h"
#include "lgtrace.skel.h"
#include <lgalloc/registry.h>

#define EXIT_USAGE	       2
#define EXIT_NOEXEC	       126
#define EXIT_NOTFOUND	       127
#define DEFAULT_BTF	       "/sys/kernel/btf/vmlinux"
#define TICK_MS		       50
#define ENTRY_STOP_MS	       5000
/* One minor fault in 16 timed: a clock read costs ~70 ns on a VM, a 4 KiB
 * fault ~2 us; timing each one alone would cost 5-7%. */
#define DEFAULT_LATENCY_SAMPLE 16
#define MAX_USDT_FILES	       16 /* how long a command may take to reach its entry point */

_Static_assert(sizeof(struct lgt_pool_stats) % sizeof(__u64) == 0, "stats are summed as u64 arrays");
#define STAT_WORDS (sizeof(struct lgt_pool_stats) / sizeof(__u64))

static struct env {
	pid_t pid;
	char **cmd;
	double interval;
	double duration;
	bool hists;
	bool json;
	bool as_root;
	bool verbose;
	unsigned latency_sample; /* time one fault in N per thread */
	const char *btf_path;
} env = {.btf_path = DEFAULT_BTF, .latency_sample = DEFAULT_LATENCY_SAMPLE};

/* Features: each needs tracepoints the kernel may lack ("n/a" if so). */
enum feature {
	FEAT_FAULTS,	     /* page_fault_user */
	FEAT_COMPLETION,     /* count_memcg_events: completion, major, swap-in, latency */
	FEAT_LOCK,	     /* mmap_lock_start_locking + mmap_lock_acquire_returned */
	FEAT_CONTENTION,     /* contention_begin */
	FEAT_SWAPOUT,	     /* mm_vmscan_write_folio */
	FEAT_URING_SUBMIT,   /* io_uring_submit_req: madvise submissions, hints */
	FEAT_URING_COMPLETE, /* io_uring_complete: completions */
	FEAT_USDT,	     /* lgalloc:area_map attached somewhere */
	FEAT_REGISTRY,	     /* the area registry found */
	NUM_FEATURES,
};
static const char *const feature_names[NUM_FEATURES] = {
	"faults",	   "fault_completion",	"mmap_lock", "contention", "swapout",
	"io_uring_submit", "io_uring_complete", "usdt",	     "registry",
};
#define FEAT_LAST_TP FEAT_URING_COMPLETE /* the features that are tracepoints */
static bool have[NUM_FEATURES];

static volatile sig_atomic_t stop_signal;

static const char usage_text[] =
	"Usage: lgtrace [OPTIONS] -p PID\n"
	"       lgtrace [OPTIONS] -- CMD [ARGS...]\n"
	"\n"
	"Trace one process's page faults, swap-ins, swap-outs, mmap_lock waits,\n"
	"io_uring madvise requests and the faults after prefetch hints (minor: in\n"
	"time, major: too late), per lgalloc pool (size class 2M..64G, \"other\",\n"
	"\"mmap/munmap\").\n"
	"\n"
	"  -p, --pid PID          trace a running process (all its threads)\n"
	"  -i, --interval SEC     print a table every SEC seconds\n"
	"  -d, --duration SEC     stop after SEC seconds (a command is sent SIGTERM)\n"
	"  -H, --histograms       print the log2 latency histograms\n"
	"  -s, --latency-sample N time one fault in N per thread (default 16; 1: every\n"
	"                         fault; counts are exact either way, faults that\n"
	"                         read from swap or a file are always timed)\n"
	"  -j, --json             write the summary as one JSON document\n"
	"      --as-root          run CMD as root, not as SUDO_UID/SUDO_GID\n"
	"      --btf PATH         kernel BTF to use (default " DEFAULT_BTF ")\n"
	"  -v, --verbose          libbpf debug output\n"
	"  -h, --help             this help\n"
	"\n"
	"Needs root (or CAP_BPF and CAP_PERFMON) and a kernel with BTF.\n"
	"\n"
	"Examples:\n"
	"  sudo lgtrace -p 1234                 # until Ctrl-C or the process exits\n"
	"  sudo lgtrace -p 1234 -i 1 -d 10      # a table per second for 10 s\n"
	"  sudo lgtrace -H -- ./bench --threads 4\n"
	"  sudo lgtrace -s 1 -H -- ./bench      # time every fault, not 1 in 16\n"
	"  sudo lgtrace --json -- ./bench > trace.json\n";

__attribute__((noreturn, format(printf, 1, 2))) static void die_usage(const char *fmt, ...)
{
	va_list ap;

	fputs("lgtrace: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'lgtrace --help'.\n", stderr);
	exit(EXIT_USAGE);
}

__attribute__((format(printf, 1, 2))) static void warnx(const char *fmt, ...)
{
	va_list ap;

	fputs("lgtrace: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static double parse_seconds(const char *s, const char *opt)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v > 0) || v > 1e7)
		die_usage("%s: '%s' is not a positive number of seconds", opt, s);
	return v;
}

static void parse_args(int argc, char **argv)
{
	enum { OPT_AS_ROOT = 256, OPT_BTF };
	static const struct option opts[] = {
		{"pid", required_argument, NULL, 'p'},
		{"interval", required_argument, NULL, 'i'},
		{"duration", required_argument, NULL, 'd'},
		{"histograms", no_argument, NULL, 'H'},
		{"json", no_argument, NULL, 'j'},
		{"as-root", no_argument, NULL, OPT_AS_ROOT},
		{"btf", required_argument, NULL, OPT_BTF},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{"latency-sample", required_argument, NULL, 's'},
		{},
	};
	char *end;
	long v;
	int c;

	opterr = 0;
	/* '+': stop at the first non-option, CMD's own options stay its own. */
	while ((c = getopt_long(argc, argv, "+:p:i:d:s:Hjvh", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || v <= 0 || v > INT_MAX)
				die_usage("-p: '%s' is not a process ID", optarg);
			env.pid = (pid_t)v;
			break;
		case 'i':
			env.interval = parse_seconds(optarg, "-i");
			break;
		case 'd':
			env.duration = parse_seconds(optarg, "-d");
			break;
		case 'H':
			env.hists = true;
			break;
		case 's':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || v < 1 || v > 1000000)
				die_usage("--latency-sample: '%s' is not a number from 1 to 1000000", optarg);
			env.latency_sample = (unsigned)v;
			break;
		case 'j':
			env.json = true;
			break;
		case OPT_AS_ROOT:
			env.as_root = true;
			break;
		case OPT_BTF:
			env.btf_path = optarg;
			break;
		case 'v':
			env.verbose = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			exit(0);
		case ':':
			die_usage("option '%s' needs an argument", argv[optind - 1]);
		default:
			die_usage("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		env.cmd = &argv[optind];
	if (!env.pid == !env.cmd)
		die_usage(env.pid ? "give either -p PID or a command, not both" : "give -p PID or -- CMD");
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_DEBUG && !env.verbose)
		return 0;
	return vfprintf(stderr, fmt, args);
}

/* root, or CAP_BPF with CAP_PERFMON (or CAP_SYS_ADMIN, as before 5.8). */
static bool have_bpf_privilege(void)
{
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct data[2] = {};

	if (syscall(SYS_capget, &hdr, data))
		return geteuid() == 0;
#define HAS_CAP(c) (data[(c) / 32].effective & (1U << ((c) % 32)))
	return HAS_CAP(CAP_SYS_ADMIN) || (HAS_CAP(CAP_BPF) && HAS_CAP(CAP_PERFMON));
#undef HAS_CAP
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL); /* a signal cuts it short: the caller checks */
}

/* ---- the target process ---- */

/* minflt, majflt and state of a process from /proc/PID/stat. */
static int proc_stat(pid_t pid, char *state, unsigned long long *minflt, unsigned long long *majflt)
{
	char path[64], buf[1024], *p;
	unsigned long long mn, mj;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = 0;
	/* comm may hold spaces and parentheses: fields restart after the last ')'. */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2, "%c %*d %*d %*d %*d %*d %*u %llu %*u %llu", state, &mn, &mj) != 3)
		return -EIO;
	if (minflt)
		*minflt = mn;
	if (majflt)
		*majflt = mj;
	return 0;
}

static bool target_alive(pid_t pid)
{
	char state;

	return proc_stat(pid, &state, NULL, NULL) == 0 && state != 'Z' && state != 'X';
}

/* ---- ELF files mapped by the target: USDT probe and area registry ---- */

struct elf_info {
	bool has_probe;	       /* a stapsdt note lgalloc:area_map */
	bool has_registry;     /* the registry symbol */
	bool is_dyn;	       /* ET_DYN: addresses move with the load base */
	GElf_Addr registry;    /* its st_value */
	GElf_Addr first_vaddr; /* lowest PT_LOAD p_vaddr, page aligned */
	GElf_Addr entry;       /* e_entry, as a file offset */
};

/* stapsdt note: three addresses then "provider\0name\0args\0". */
static bool note_is_area_map(const char *desc, size_t len)
{
	size_t off = 3 * 8;
	static const char want[] = "lgalloc\0area_map";

	return len >= off + sizeof(want) && !memcmp(desc + off, want, sizeof(want));
}

static void scan_notes(Elf_Scn *scn, struct elf_info *info)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t off = 0, name_off, desc_off;
	GElf_Nhdr nhdr;

	while (data && (off = gelf_getnote(data, off, &nhdr, &name_off, &desc_off)) > 0) {
		if (nhdr.n_type == 3 && nhdr.n_namesz == 8 &&
		    !memcmp((char *)data->d_buf + name_off, "stapsdt", 8) &&
		    note_is_area_map((char *)data->d_buf + desc_off, nhdr.n_descsz))
			info->has_probe = true;
	}
}

static void scan_symbols(Elf *elf, Elf_Scn *scn, GElf_Shdr *shdr, struct elf_info *info)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t n = shdr->sh_entsize ? shdr->sh_size / shdr->sh_entsize : 0;
	GElf_Sym sym;

	for (size_t i = 0; data && i < n && !info->has_registry; i++) {
		const char *name;

		if (!gelf_getsym(data, (int)i, &sym) || sym.st_shndx == SHN_UNDEF)
			continue;
		name = elf_strptr(elf, shdr->sh_link, sym.st_name);
		if (name && !strcmp(name, LGALLOC_REGISTRY_SYMBOL)) {
			info->has_registry = true;
			info->registry = sym.st_value;
		}
	}
}

static int scan_elf(const char *path, struct elf_info *info)
{
	GElf_Ehdr ehdr;
	Elf_Scn *scn = NULL;
	size_t nphdr;
	Elf *elf;
	int fd;

	memset(info, 0, sizeof(*info));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &ehdr) || elf_getphdrnum(elf, &nphdr)) {
		if (elf)
			elf_end(elf);
		close(fd);
		return -ENOEXEC;
	}
	info->is_dyn = ehdr.e_type == ET_DYN;
	info->first_vaddr = ~0ULL;
	for (size_t i = 0; i < nphdr; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if ((ph.p_vaddr & ~4095ULL) < info->first_vaddr)
			info->first_vaddr = ph.p_vaddr & ~4095ULL;
		if (ehdr.e_entry >= ph.p_vaddr && ehdr.e_entry < ph.p_vaddr + ph.p_filesz)
			info->entry = ehdr.e_entry - ph.p_vaddr + ph.p_offset;
	}
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr shdr;

		if (!gelf_getshdr(scn, &shdr))
			continue;
		if (shdr.sh_type == SHT_NOTE)
			scan_notes(scn, info);
		else if (shdr.sh_type == SHT_DYNSYM || shdr.sh_type == SHT_SYMTAB)
			scan_symbols(elf, scn, &shdr, info);
	}
	elf_end(elf);
	close(fd);
	return 0;
}

struct tracer {
	struct lgtrace_bpf *skel;
	struct bpf_link *usdt_links[MAX_USDT_FILES];
	int usdt_count;
	struct bpf_link *entry_link;
	pid_t pid;
	/* the area registry in the target, once found */
	__u64 registry_addr;
	__u32 registry_seen; /* records already added to the area map */
	bool warned_no_lib;
};

static int add_area(struct tracer *t, __u64 base, __u64 len, __u32 class_log2)
{
	int fd = bpf_map__fd(t->skel->maps.areas);
	__u32 pool = class_log2 - LGT_MIN_CLASS;
	struct lgt_area_key key;

	if (class_log2 < LGT_MIN_CLASS || class_log2 >= LGT_MIN_CLASS + LGT_NUM_CLASS)
		return -EINVAL;
	for (int i = 0; i < LGT_MAX_BLOCKS && len; i++) {
		unsigned b = lgt_next_block(base, len);

		lgt_area_key_init(&key, base, 64 - b);
		if (b < 21)
			t->skel->bss->fine_areas = true;
		if (bpf_map_update_elem(fd, &key, &pool, BPF_ANY))
			return -errno;
		base += 1ULL << b;
		len -= 1ULL << b;
	}
	/* After the update: the threads' cached pools are stale now. */
	__atomic_fetch_add(&t->skel->bss->areas_gen, 1, __ATOMIC_SEQ_CST);
	return 0;
}

static ssize_t read_target(pid_t pid, __u64 addr, void *buf, size_t len)
{
	struct iovec local = {buf, len}, remote = {(void *)(uintptr_t)addr, len};

	return process_vm_readv(pid, &local, 1, &remote, 1, 0);
}

/* Add the registry's records not seen yet to the area map. */
static int read_registry(struct tracer *t)
{
	struct lgalloc_area_registry reg;
	struct lgalloc_area_record rec[256];

	if (!t->registry_addr)
		return 0;
	if (read_target(t->pid, t->registry_addr, &reg, sizeof(reg)) != (ssize_t)sizeof(reg))
		return -errno;
	if (reg.magic != LGALLOC_REGISTRY_MAGIC || reg.version != LGALLOC_REGISTRY_VERSION ||
	    reg.record_size != sizeof(rec[0]) || reg.count > reg.capacity)
		return -EPROTO;
	while (t->registry_seen < reg.count) {
		__u32 n = reg.count - t->registry_seen;

		if (n > 256)
			n = 256;
		ssize_t want = (ssize_t)(n * sizeof(rec[0]));
		if (read_target(t->pid, reg.records + (__u64)t->registry_seen * sizeof(rec[0]), rec,
				(size_t)want) != want)
			return -errno;
		for (__u32 i = 0; i < n; i++) {
			int err = add_area(t, rec[i].base, rec[i].len, rec[i].class_log2);
			if (err)
				return err;
		}
		t->registry_seen += n;
	}
	return 0;
}

/*
 * Attach the USDT probe to every file of the target that has it, and find
 * the registry.  Files are opened through /proc/PID/root, so that a target
 * in another mount namespace (a container) works too.
 */
static void attach_areas(struct tracer *t)
{
	char path[64], line[4352], file[PATH_MAX], *prev = NULL;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", t->pid);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long start, end, offset;
		char name[PATH_MAX] = "";
		struct elf_info info;

		/* A file's first mapping (offset 0) gives its load base. */
		if (sscanf(line, "%llx-%llx %*s %llx %*s %*s %4095[^\n]", &start, &end, &offset, name) != 4 ||
		    name[0] != '/' || offset != 0 || (prev && !strcmp(prev, name)))
			continue;
		free(prev);
		prev = strdup(name);
		snprintf(file, sizeof(file), "/proc/%d/root%s", t->pid, name);
		if (scan_elf(file, &info))
			continue;
		if (info.has_probe && t->usdt_count < MAX_USDT_FILES) {
			struct bpf_link *l = bpf_program__attach_usdt(t->skel->progs.area_map, t->pid, file,
								      "lgalloc", "area_map", NULL);
			if (l) {
				t->usdt_links[t->usdt_count++] = l;
				have[FEAT_USDT] = true;
			} else {
				warnx("cannot attach lgalloc:area_map in %s: %s", name, strerror(errno));
			}
		}
		if (info.has_registry && !t->registry_addr) {
			t->registry_addr = info.registry + (info.is_dyn ? start - info.first_vaddr : 0);
			have[FEAT_REGISTRY] = true;
		}
	}
	free(prev);
	fclose(f);
	/* After the USDT probe: an area is in the registry before the probe
	 * fires, so none falls between the two. */
	int err = read_registry(t);
	if (err)
		warnx("cannot read the area registry of PID %d: %s", t->pid, strerror(-err));
	if (!have[FEAT_USDT] && !have[FEAT_REGISTRY] && !t->warned_no_lib) {
		warnx("PID %d has no liblgalloc loaded (yet): addresses count as \"other\"", t->pid);
		t->warned_no_lib = true;
	}
}

/* ---- feature probing and attaching ---- */

struct prog_tp {
	struct bpf_program *prog;
	struct bpf_link **link;
	const char *tp;
	enum feature feature;
	bool optional; /* absence does not make the feature n/a */
};

/* Whether @word is an item of the comma-separated @list. */
static bool in_list(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; p && *p; p = strchrnul(p, ',') + (*strchrnul(p, ',') ? 1 : 0))
		if (!strncmp(p, word, n) && (p[n] == ',' || !p[n]))
			return true;
	return false;
}

static int open_and_load(struct tracer *t, pid_t pid, bool command)
{
	LIBBPF_OPTS(bpf_object_open_opts, open_opts);
	struct btf *vmlinux;
	int err;

	if (strcmp(env.btf_path, DEFAULT_BTF))
		open_opts.btf_custom_path = env.btf_path;
	vmlinux = btf__parse(env.btf_path, NULL);
	if (!vmlinux) {
		warnx("cannot read kernel BTF %s: %s (the kernel needs CONFIG_DEBUG_INFO_BTF=y)",
		      env.btf_path, strerror(errno));
		return -1;
	}
	t->pid = pid;
	t->skel = lgtrace_bpf__open_opts(&open_opts);
	if (!t->skel) {
		warnx("cannot open the BPF object: %s", strerror(errno));
		btf__free(vmlinux);
		return -1;
	}
	struct lgtrace_bpf *s = t->skel;
	struct prog_tp tps[] = {
		{s->progs.fault_user, &s->links.fault_user, "page_fault_user", FEAT_FAULTS, false},
		{s->progs.fault_kernel, &s->links.fault_kernel, "page_fault_kernel", FEAT_FAULTS, true},
		{s->progs.memcg_event, &s->links.memcg_event, "count_memcg_events", FEAT_COMPLETION, false},
		{s->progs.lock_start, &s->links.lock_start, "mmap_lock_start_locking", FEAT_LOCK, false},
		{s->progs.lock_acquired, &s->links.lock_acquired, "mmap_lock_acquire_returned", FEAT_LOCK,
		 false},
		{s->progs.contention_begin, &s->links.contention_begin, "contention_begin", FEAT_CONTENTION,
		 false},
		{s->progs.write_folio, &s->links.write_folio, "mm_vmscan_write_folio", FEAT_SWAPOUT, false},
		{s->progs.uring_submit, &s->links.uring_submit, "io_uring_submit_req", FEAT_URING_SUBMIT,
		 false},
		{s->progs.uring_complete, &s->links.uring_complete, "io_uring_complete", FEAT_URING_COMPLETE,
		 false},
	};
	bool missing[NUM_FEATURES] = {};
	char name[128];

	/* LGTRACE_SKIP_TRACEPOINTS=a,b: treat them as missing (to test the
	 * fallbacks on a kernel that has them all). */
	const char *skip = getenv("LGTRACE_SKIP_TRACEPOINTS");

	for (size_t i = 0; i < sizeof(tps) / sizeof(tps[0]); i++) {
		snprintf(name, sizeof(name), "btf_trace_%s", tps[i].tp);
		if (btf__find_by_name_kind(vmlinux, name, BTF_KIND_TYPEDEF) < 0 || in_list(skip, tps[i].tp)) {
			bpf_program__set_autoload(tps[i].prog, false);
			if (!tps[i].optional)
				missing[tps[i].feature] = true;
		}
	}
	btf__free(vmlinux);
	for (int f = FEAT_FAULTS; f <= FEAT_LAST_TP; f++)
		have[f] = !missing[f];
	/* Contention only qualifies mmap_lock acquisitions. */
	if (!have[FEAT_LOCK]) {
		have[FEAT_CONTENTION] = false;
		bpf_program__set_autoload(s->progs.lock_start, false);
		bpf_program__set_autoload(s->progs.lock_acquired, false);
		bpf_program__set_autoload(s->progs.contention_begin, false);
	}
	/* Kernel-mode fault entries alone would time a few faults only. */
	if (!have[FEAT_FAULTS])
		bpf_program__set_autoload(s->progs.fault_kernel, false);
	if (!have[FEAT_FAULTS] && !have[FEAT_COMPLETION]) {
		bpf_program__set_autoload(s->progs.fault_user, false);
		bpf_program__set_autoload(s->progs.fault_kernel, false);
		bpf_program__set_autoload(s->progs.memcg_event, false);
	}
	if (!command)
		bpf_program__set_autoload(s->progs.entry_stop, false);
	s->rodata->targ_tgid = (__u32)pid;
	s->rodata->count_at_entry = !have[FEAT_COMPLETION];
	s->rodata->latency_sample = env.latency_sample;
	s->rodata->noop = getenv("LGTRACE_NOOP") != NULL;

	err = lgtrace_bpf__load(s);
	if (err) {
		warnx("cannot load the BPF programs: %s", strerror(-err));
		return -1;
	}
	for (size_t i = 0; i < sizeof(tps) / sizeof(tps[0]); i++) {
		if (!bpf_program__autoload(tps[i].prog))
			continue;
		/* In the skeleton's links, so that destroy() detaches it. */
		*tps[i].link = bpf_program__attach(tps[i].prog);
		if (!*tps[i].link) {
			warnx("cannot attach %s: %s", tps[i].tp, strerror(errno));
			return -1;
		}
	}
	return 0;
}

static void tracer_destroy(struct tracer *t)
{
	for (int i = 0; i < t->usdt_count; i++)
		bpf_link__destroy(t->usdt_links[i]);
	t->usdt_count = 0;
	bpf_link__destroy(t->entry_link);
	t->entry_link = NULL;
	lgtrace_bpf__destroy(t->skel);
	t->skel = NULL;
}

/* ---- the command ---- */

struct command {
	pid_t pid;
	int go_fd;  /* write end: releases the child */
	int err_fd; /* read end: errno of a failed exec, EOF on success */
	char path[PATH_MAX];
};

/* The file execvp() would run. */
static int resolve_command(const char *name, char *out)
{
	const char *path = getenv("PATH");
	struct stat st;
	int err = ENOENT;

	if (strchr(name, '/')) {
		snprintf(out, PATH_MAX, "%s", name);
		if (stat(out, &st))
			return errno;
		return S_ISREG(st.st_mode) && (st.st_mode & 0111) ? 0 : EACCES;
	}
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (const char *p = path; *p;) {
		const char *colon = strchrnul(p, ':');
		int n = (int)(colon - p);

		snprintf(out, PATH_MAX, "%.*s%s%s", n, n ? p : ".", "/", name);
		if (!stat(out, &st)) {
			if (S_ISREG(st.st_mode) && (st.st_mode & 0111))
				return 0;
			err = EACCES;
		}
		p = *colon ? colon + 1 : colon;
	}
	return err;
}

/* Under sudo, the command runs as the invoking user. */
static int drop_privileges(void)
{
	const char *su = getenv("SUDO_UID"), *sg = getenv("SUDO_GID");
	struct passwd *pw;
	uid_t uid;
	gid_t gid;

	if (env.as_root || geteuid() != 0 || !su || !sg)
		return 0;
	uid = (uid_t)strtoul(su, NULL, 10);
	gid = (gid_t)strtoul(sg, NULL, 10);
	pw = getpwuid(uid);
	if ((pw ? initgroups(pw->pw_name, gid) : setgroups(0, NULL)) || setgid(gid) || setuid(uid))
		return errno;
	return 0;
}

static void child_fail(int fd, int err)
{
	ssize_t n = write(fd, &err, sizeof(err));

	(void)n;
	_exit(err == ENOENT ? EXIT_NOTFOUND : EXIT_NOEXEC);
}

/* Fork the command, held until command_release(). */
static int command_start(struct command *c)
{
	int go[2], errp[2], err;
	char buf;

	err = resolve_command(env.cmd[0], c->path);
	if (err) {
		warnx("cannot execute %s: %s", env.cmd[0], strerror(err));
		return err == ENOENT ? EXIT_NOTFOUND : EXIT_NOEXEC;
	}
	if (pipe2(go, O_CLOEXEC) || pipe2(errp, O_CLOEXEC)) {
		warnx("pipe: %s", strerror(errno));
		return 1;
	}
	fflush(NULL);
	c->pid = fork();
	if (c->pid < 0) {
		warnx("fork: %s", strerror(errno));
		return 1;
	}
	if (c->pid == 0) {
		close(go[1]);
		close(errp[0]);
		/* lgtrace's death (EOF without the go byte) ends the child too. */
		if (read(go[0], &buf, 1) != 1)
			_exit(EXIT_NOEXEC);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		err = drop_privileges();
		if (err)
			child_fail(errp[1], err);
		execv(c->path, env.cmd);
		child_fail(errp[1], errno);
	}
	close(go[0]);
	close(errp[1]);
	c->go_fd = go[1];
	c->err_fd = errp[0];
	return 0;
}

static void command_kill(struct command *c)
{
	if (c->pid <= 0)
		return;
	kill(c->pid, SIGKILL);
	kill(c->pid, SIGCONT);
	waitpid(c->pid, NULL, 0);
	c->pid = 0;
}

/*
 * Release the command and hold it again at its entry point: there attach
 * the USDT probe to the libraries it loaded, then let it run.  Returns 0,
 * or an exit status after a message.
 */
static int command_release(struct command *c, struct tracer *t)
{
	struct elf_info info;
	int status, err = 0;
	ssize_t n;

	if (scan_elf(c->path, &info) == 0 && info.entry) {
		LIBBPF_OPTS(bpf_uprobe_opts, uo);
		t->entry_link = bpf_program__attach_uprobe_opts(t->skel->progs.entry_stop, c->pid, c->path,
								(size_t)info.entry, &uo);
	}
	if (!t->entry_link)
		warnx("%s: cannot stop it at its entry point; areas it maps at once may count as \"other\"",
		      c->path);
	if (write(c->go_fd, "g", 1) != 1) {
		warnx("cannot start the command: %s", strerror(errno));
		return 1;
	}
	close(c->go_fd);
	n = read(c->err_fd, &err, sizeof(err));
	close(c->err_fd);
	if (n == (ssize_t)sizeof(err)) {
		warnx("cannot execute %s: %s", c->path, strerror(err));
		waitpid(c->pid, NULL, 0);
		c->pid = 0;
		return err == ENOENT ? EXIT_NOTFOUND : EXIT_NOEXEC;
	}
	if (t->entry_link) {
		double deadline = now_s() + ENTRY_STOP_MS / 1000.0;
		pid_t r = 0;

		while (!(r = waitpid(c->pid, &status, WNOHANG | WUNTRACED)) && now_s() < deadline)
			sleep_ms(1);
		if (r == c->pid && !WIFSTOPPED(status)) {
			/* Gone before its entry point (a failing loader). */
			c->pid = 0;
			warnx("%s exited before it started", c->path);
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		}
		bpf_link__destroy(t->entry_link);
		t->entry_link = NULL;
	}
	attach_areas(t);
	kill(c->pid, SIGCONT);
	return 0;
}

/* ---- statistics and output ---- */

struct snapshot {
	struct lgt_pool_stats pool[LGT_NUM_POOLS];
};

static int collect(struct tracer *t, struct snapshot *out)
{
	int ncpu = libbpf_num_possible_cpus();
	struct lgt_pool_stats *vals;
	int fd = bpf_map__fd(t->skel->maps.stats);

	if (ncpu <= 0)
		return -1;
	vals = calloc((size_t)ncpu, sizeof(*vals));
	if (!vals)
		return -1;
	memset(out, 0, sizeof(*out));
	for (__u32 p = 0; p < LGT_NUM_POOLS; p++) {
		__u64 *sum = (__u64 *)&out->pool[p];

		if (bpf_map_lookup_elem(fd, &p, vals))
			continue;
		for (int c = 0; c < ncpu; c++) {
			const __u64 *v = (const __u64 *)&vals[c];
			for (size_t w = 0; w < STAT_WORDS; w++)
				sum[w] += v[w];
		}
	}
	free(vals);
	return 0;
}

static void snapshot_sub(struct snapshot *d, const struct snapshot *a, const struct snapshot *b)
{
	for (int p = 0; p < LGT_NUM_POOLS; p++) {
		__u64 *o = (__u64 *)&d->pool[p];
		const __u64 *x = (const __u64 *)&a->pool[p], *y = (const __u64 *)&b->pool[p];
		for (size_t w = 0; w < STAT_WORDS; w++)
			o[w] = x[w] - y[w];
	}
}

static void pool_name(int p, char *buf, size_t len)
{
	static const char units[] = "MGT";
	int shift = LGT_MIN_CLASS + p - 20;

	if (p == LGT_POOL_OTHER)
		snprintf(buf, len, "other");
	else if (p == LGT_POOL_MMAP)
		snprintf(buf, len, "mmap/munmap");
	else
		snprintf(buf, len, "%lu%c", 1UL << (shift % 10), units[shift / 10]);
}

static bool uring_active(const struct lgt_pool_stats *s)
{
	return s->uring_submitted || s->uring_completed || s->hinted_minor || s->hinted_major;
}

static bool pool_active(const struct lgt_pool_stats *s)
{
	return s->faults || s->swapins || s->swapouts || s->lock_acq[0] || s->lock_acq[1] ||
	       s->lock_failed[0] || s->lock_failed[1] || uring_active(s);
}

/* Percentile @pct of a log2 histogram, interpolated inside its slot. */
static double hist_pct(const __u64 *h, int nh, double pct)
{
	__u64 total = 0, cum = 0;

	for (int k = 0; k < nh; k++)
		for (int i = 0; i < LGT_HIST_SLOTS; i++)
			total += h[k * LGT_HIST_SLOTS + i];
	if (!total)
		return 0;
	double target = pct / 100.0 * (double)total;
	for (int i = 0; i < LGT_HIST_SLOTS; i++) {
		__u64 n = 0;
		for (int k = 0; k < nh; k++)
			n += h[k * LGT_HIST_SLOTS + i];
		if (n && (double)(cum + n) >= target) {
			double lo = i ? (double)(1ULL << i) : 0, hi = (double)(1ULL << (i + 1));
			return lo + (hi - lo) * (target - (double)cum) / (double)n;
		}
		cum += n;
	}
	return (double)(1ULL << LGT_HIST_SLOTS);
}

static __u64 hist_total(const __u64 *h)
{
	__u64 n = 0;

	for (int i = 0; i < LGT_HIST_SLOTS; i++)
		n += h[i];
	return n;
}

static void add_pool(struct lgt_pool_stats *sum, const struct lgt_pool_stats *s)
{
	__u64 *o = (__u64 *)sum;
	const __u64 *v = (const __u64 *)s;

	for (size_t w = 0; w < STAT_WORDS; w++)
		o[w] += v[w];
}

/* A row being printed: its stream, the widths of its columns, the next. */
struct row {
	FILE *o;
	const int *widths;
	int col;
};

/* One right-aligned cell: "n/a" when the kernel cannot measure it, "-"
 * when there was nothing to measure. */
static void cell(struct row *r, bool avail, bool any, const char *fmt, double v)
{
	char buf[32];

	if (!avail)
		snprintf(buf, sizeof(buf), "n/a");
	else if (!any)
		snprintf(buf, sizeof(buf), "-");
	else
		snprintf(buf, sizeof(buf), fmt, v);
	fprintf(r->o, " %*s", r->widths[r->col++], buf);
}

static void fault_cells(struct row *r, const struct lgt_pool_stats *ps)
{
	bool comp = have[FEAT_COMPLETION], lock = have[FEAT_LOCK], cont = lock && have[FEAT_CONTENTION];
	bool lat = comp && have[FEAT_FAULTS];
	const __u64 *fh = ps->hist[LGT_H_FAULT_MINOR], *lh = ps->hist[LGT_H_LOCK_READ];
	__u64 waits = ps->lock_acq[0] + ps->lock_acq[1];

	/* The minor and major (read and write) histograms are adjacent: the
	 * percentiles cover both. */
	cell(r, true, true, "%.0f", (double)ps->faults);
	cell(r, comp, true, "%.0f", (double)ps->major);
	cell(r, comp, true, "%.0f", (double)ps->swapins);
	cell(r, have[FEAT_SWAPOUT], true, "%.0f", (double)ps->swapouts);
	cell(r, lat, ps->faults, "%.1fus", hist_pct(fh, 2, 50) / 1e3);
	cell(r, lat, ps->faults, "%.1fus", hist_pct(fh, 2, 99) / 1e3);
	cell(r, lock, true, "%.0f", (double)ps->lock_acq[0]);
	cell(r, lock, true, "%.0f", (double)ps->lock_acq[1]);
	cell(r, cont, true, "%.0f", (double)ps->lock_cont[0]);
	cell(r, cont, true, "%.0f", (double)ps->lock_cont[1]);
	cell(r, lock, true, "%.2fms", (double)(ps->lock_wait_ns[0] + ps->lock_wait_ns[1]) / 1e6);
	cell(r, lock, waits, "%.1fus", hist_pct(lh, 2, 50) / 1e3);
	cell(r, lock, waits, "%.1fus", hist_pct(lh, 2, 99) / 1e3);
}

static void uring_cells(struct row *r, const struct lgt_pool_stats *ps)
{
	bool sub = have[FEAT_URING_SUBMIT], done = have[FEAT_URING_COMPLETE];
	/* Hints through io_uring, or madvise(2) seen taking mmap_lock. */
	bool hinted = (sub || have[FEAT_LOCK]) && have[FEAT_FAULTS] && have[FEAT_COMPLETION];
	const __u64 *h = ps->hist[LGT_H_URING];
	__u64 timed = hist_total(h);

	cell(r, sub, true, "%.0f", (double)ps->uring_submitted);
	cell(r, done, true, "%.0f", (double)ps->uring_completed);
	cell(r, done, true, "%.0f", (double)ps->uring_failed);
	cell(r, sub && done, timed, "%.1fus", hist_pct(h, 1, 50) / 1e3);
	cell(r, sub && done, timed, "%.1fus", hist_pct(h, 1, 99) / 1e3);
	cell(r, hinted, true, "%.0f", (double)ps->hinted_minor);
	cell(r, hinted, true, "%.0f", (double)ps->hinted_major);
}

/* A table with a row per active pool and a total row. */
struct table {
	const char *title; /* of the first column */
	const char *const *heads;
	const int *widths;
	int ncols;
	bool (*active)(const struct lgt_pool_stats *);
	void (*cells)(struct row *r, const struct lgt_pool_stats *ps);
};

static const char *const fault_heads[] = {"FAULTS",  "MAJOR",	 "SWAPIN",  "SWAPOUT", "FLT-p50",
					  "FLT-p99", "LOCK-R",	 "LOCK-W",  "CONT-R",  "CONT-W",
					  "WAIT",    "WAIT-p50", "WAIT-p99"};
static const int fault_widths[] = {10, 8, 8, 8, 9, 9, 9, 9, 7, 7, 9, 9, 9};
static const char *const uring_heads[] = {"SUBMIT",  "DONE",	   "FAILED",	"LAT-p50",
					  "LAT-p99", "HINTED-MIN", "HINTED-MAJ"};
static const int uring_widths[] = {10, 8, 8, 9, 9, 11, 11};

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))
_Static_assert(COUNT(fault_heads) == COUNT(fault_widths), "a width per column");
_Static_assert(COUNT(uring_heads) == COUNT(uring_widths), "a width per column");
static const struct table fault_table = {
	.title = "POOL",
	.heads = fault_heads,
	.widths = fault_widths,
	.ncols = COUNT(fault_heads),
	.active = pool_active,
	.cells = fault_cells,
};
static const struct table uring_table = {
	.title = "MADVISE",
	.heads = uring_heads,
	.widths = uring_widths,
	.ncols = COUNT(uring_heads),
	.active = uring_active,
	.cells = uring_cells,
};

static void print_pools(FILE *o, const struct snapshot *s, const struct table *t)
{
	struct lgt_pool_stats total = {};
	char name[16];

	fprintf(o, "%-11s", t->title);
	for (int i = 0; i < t->ncols; i++)
		fprintf(o, " %*s", t->widths[i], t->heads[i]);
	fputc('\n', o);
	for (int p = 0; p <= LGT_NUM_POOLS; p++) {
		const struct lgt_pool_stats *ps = p < LGT_NUM_POOLS ? &s->pool[p] : &total;
		struct row r = {o, t->widths, 0};

		if (p < LGT_NUM_POOLS) {
			if (!t->active(ps))
				continue;
			add_pool(&total, ps);
			pool_name(p, name, sizeof(name));
		} else {
			snprintf(name, sizeof(name), "total");
		}
		fprintf(o, "%-11s", name);
		t->cells(&r, ps);
		fputc('\n', o);
	}
}

/* The fault table; the io_uring madvise table below it when there were
 * any. */
static void print_table(FILE *o, const struct snapshot *s)
{
	print_pools(o, s, &fault_table);
	for (int p = 0; p < LGT_NUM_POOLS; p++) {
		if (uring_active(&s->pool[p])) {
			print_pools(o, s, &uring_table);
			break;
		}
	}
}

static void print_hist(FILE *o, const char *title, const __u64 *h)
{
	int lo = LGT_HIST_SLOTS, hi = -1;
	__u64 max = 0;

	for (int i = 0; i < LGT_HIST_SLOTS; i++) {
		if (!h[i])
			continue;
		lo = i < lo ? i : lo;
		hi = i;
		max = h[i] > max ? h[i] : max;
	}
	if (hi < 0)
		return;
	fprintf(o, "  %s\n  %20s : %-10s distribution\n", title, "ns", "count");
	for (int i = lo; i <= hi; i++) {
		int stars = (int)(h[i] * 40 / max);
		fprintf(o, "  %9llu -> %-9llu : %-10llu |%-40.*s|\n", i ? 1ULL << i : 0ULL,
			(1ULL << (i + 1)) - 1, (unsigned long long)h[i], stars,
			"****************************************");
	}
}

static const char *const hist_names[LGT_NUM_HISTS] = {
	"fault latency, minor", "fault latency, major",	 "fault latency, swap-in",
	"mmap_lock wait, read", "mmap_lock wait, write", "io_uring madvise, submit to complete",
};
static const char *const hist_keys[LGT_NUM_HISTS] = {
	"fault_minor", "fault_major", "swapin", "mmap_lock_read", "mmap_lock_write", "io_uring_madvise",
};

static void print_hists(FILE *o, const struct snapshot *s)
{
	char name[16];

	for (int p = 0; p < LGT_NUM_POOLS; p++) {
		if (!pool_active(&s->pool[p]))
			continue;
		pool_name(p, name, sizeof(name));
		fprintf(o, "\npool %s:\n", name);
		for (int h = 0; h < LGT_NUM_HISTS; h++)
			print_hist(o, hist_names[h], s->pool[p].hist[h]);
	}
}

static void json_hist(FILE *o, const __u64 *h)
{
	bool first = true;

	fprintf(o, "{\"count\": %llu, \"p50_ns\": %.0f, \"p99_ns\": %.0f, \"log2_ns\": [",
		(unsigned long long)hist_total(h), hist_pct(h, 1, 50), hist_pct(h, 1, 99));
	for (int i = 0; i < LGT_HIST_SLOTS; i++) {
		if (!h[i])
			continue;
		fprintf(o, "%s[%llu, %llu, %llu]", first ? "" : ", ", i ? 1ULL << i : 0ULL,
			(1ULL << (i + 1)) - 1, (unsigned long long)h[i]);
		first = false;
	}
	fputs("]}", o);
}

static void json_pools(FILE *o, const struct snapshot *s, bool hists)
{
	bool first = true;
	char name[16];

	fputs("[", o);
	for (int p = 0; p < LGT_NUM_POOLS; p++) {
		const struct lgt_pool_stats *ps = &s->pool[p];

		if (!pool_active(ps))
			continue;
		pool_name(p, name, sizeof(name));
		fprintf(o, "%s\n    {\"pool\": \"%s\", ", first ? "" : ",", name);
		if (p < LGT_NUM_CLASS)
			fprintf(o, "\"class_log2\": %d, ", LGT_MIN_CLASS + p);
		fprintf(o,
			"\"faults\": %llu, \"minor\": %llu, \"major\": %llu, \"swapins\": %llu, "
			"\"swapouts\": %llu, "
			"\"fault_ns\": {\"minor\": %llu, \"major\": %llu}, ",
			(unsigned long long)ps->faults, (unsigned long long)(ps->faults - ps->major),
			(unsigned long long)ps->major, (unsigned long long)ps->swapins,
			(unsigned long long)ps->swapouts, (unsigned long long)ps->fault_ns[0],
			(unsigned long long)ps->fault_ns[1]);
		fputs("\"mmap_lock\": {", o);
		for (int w = 0; w < 2; w++)
			fprintf(o,
				"%s\"%s\": {\"acquisitions\": %llu, \"contended\": %llu, \"failed\": %llu, "
				"\"wait_ns\": %llu}",
				w ? ", " : "", w ? "write" : "read", (unsigned long long)ps->lock_acq[w],
				(unsigned long long)ps->lock_cont[w], (unsigned long long)ps->lock_failed[w],
				(unsigned long long)ps->lock_wait_ns[w]);
		fprintf(o,
			"}, \"io_uring_madvise\": {\"submitted\": %llu, \"completed\": %llu, \"failed\": "
			"%llu, "
			"\"latency_ns\": %llu}, \"prefetch\": {\"hinted_minor\": %llu, \"hinted_major\": "
			"%llu}",
			(unsigned long long)ps->uring_submitted, (unsigned long long)ps->uring_completed,
			(unsigned long long)ps->uring_failed, (unsigned long long)ps->uring_ns,
			(unsigned long long)ps->hinted_minor, (unsigned long long)ps->hinted_major);
		if (hists) {
			fputs(", \"histograms\": {", o);
			for (int h = 0; h < LGT_NUM_HISTS; h++) {
				fprintf(o, "%s\"%s\": ", h ? ", " : "", hist_keys[h]);
				json_hist(o, ps->hist[h]);
			}
			fputs("}", o);
		}
		fputs("}", o);
		first = false;
	}
	fputs("]", o);
}

struct kernel_counts {
	bool valid;
	const char *source;
	unsigned long long minflt, majflt;
};

static void print_summary(FILE *o, struct tracer *t, const struct snapshot *s, double secs,
			  const struct kernel_counts *k, const char *intervals)
{
	struct lgt_pool_stats total = {};
	struct lgt_diag *d = &t->skel->bss->diag;

	for (int p = 0; p < LGT_NUM_POOLS; p++)
		add_pool(&total, &s->pool[p]);
	if (env.json) {
		fprintf(o,
			"{\n  \"pid\": %d,\n  \"seconds\": %.3f,\n  \"latency_sample\": %u,\n  \"features\": "
			"{",
			t->pid, secs, env.latency_sample);
		for (int f = 0; f < NUM_FEATURES; f++)
			fprintf(o, "%s\"%s\": %s", f ? ", " : "", feature_names[f],
				have[f] ? "true" : "false");
		fprintf(o,
			"},\n  \"total\": {\"faults\": %llu, \"major\": %llu, \"swapins\": %llu, "
			"\"swapouts\": %llu, \"io_uring_madvise\": {\"submitted\": %llu, \"completed\": "
			"%llu}, "
			"\"prefetch\": {\"hinted_minor\": %llu, \"hinted_major\": %llu}},\n",
			(unsigned long long)total.faults, (unsigned long long)total.major,
			(unsigned long long)total.swapins, (unsigned long long)total.swapouts,
			(unsigned long long)total.uring_submitted, (unsigned long long)total.uring_completed,
			(unsigned long long)total.hinted_minor, (unsigned long long)total.hinted_major);
		if (k->valid)
			fprintf(o,
				"  \"kernel\": {\"source\": \"%s\", \"minflt\": %llu, \"majflt\": %llu},\n",
				k->source, k->minflt, k->majflt);
		fprintf(o,
			"  \"diagnostics\": {\"faults_without_entry\": %llu, \"usdt_prefixes\": %llu, "
			"\"prefix_failures\": %llu, \"slot_takeovers\": %llu, \"registry_areas\": %u, "
			"\"uring_unmatched\": %llu, \"hints_truncated\": %llu},\n",
			(unsigned long long)d->faults_no_entry, (unsigned long long)d->area_updates,
			(unsigned long long)d->area_fail, (unsigned long long)d->slot_takeovers,
			t->registry_seen, (unsigned long long)d->uring_unmatched,
			(unsigned long long)d->hint_truncated);
		if (intervals)
			fprintf(o, "  \"intervals\": [%s\n  ],\n", intervals);
		fputs("  \"pools\": ", o);
		json_pools(o, s, true);
		fputs("\n}\n", o);
		return;
	}
	const char *sep = " (n/a:";
	fprintf(o, "\nlgtrace: PID %d, %.2f s", t->pid, secs);
	for (int f = FEAT_FAULTS; f <= FEAT_LAST_TP; f++) {
		if (!have[f]) {
			fprintf(o, "%s %s", sep, feature_names[f]);
			sep = ",";
		}
	}
	fputs(*sep == ',' ? ")\n" : "\n", o);
	print_table(o, s);
	if (k->valid && have[FEAT_COMPLETION])
		fprintf(o, "kernel (%s): minflt %llu majflt %llu; lgtrace: minor %llu major %llu\n",
			k->source, k->minflt, k->majflt, (unsigned long long)(total.faults - total.major),
			(unsigned long long)total.major);
	else if (k->valid)
		fprintf(o, "kernel (%s): minflt %llu majflt %llu; lgtrace: faults %llu\n", k->source,
			k->minflt, k->majflt, (unsigned long long)total.faults);
	if (have[FEAT_COMPLETION] && env.latency_sample > 1)
		fprintf(o,
			"fault latency: 1 fault in %u timed per thread, and every swap or file read "
			"(--latency-sample)\n",
			env.latency_sample);
	if (env.hists)
		print_hists(o, s);
}

/* The target's counts since the attach from /proc; false once it is gone. */
static bool proc_counts(pid_t pid, struct kernel_counts *k, unsigned long long min0, unsigned long long maj0)
{
	unsigned long long mn, mj;
	char state;

	if (proc_stat(pid, &state, &mn, &mj) || state == 'Z' || state == 'X')
		return false;
	k->minflt = mn - min0;
	k->majflt = mj - maj0;
	return true;
}

/* A command's counts from wait4(), less those from before the attach. */
static struct kernel_counts rusage_counts(const struct rusage *ru, unsigned long long min0,
					  unsigned long long maj0)
{
	return (struct kernel_counts){true, "wait4", (unsigned long long)ru->ru_minflt - min0,
				      (unsigned long long)ru->ru_majflt - maj0};
}

static void on_signal(int sig)
{
	stop_signal = sig;
}

int main(int argc, char **argv)
{
	struct tracer t = {};
	struct command c = {};
	struct snapshot first = {}, prev = {}, cur = {}, delta;
	struct kernel_counts k = {.source = "/proc/PID/stat"};
	unsigned long long min0 = 0, maj0 = 0;
	char *intervals = NULL;
	size_t intervals_len = 0;
	FILE *ivs = NULL;
	int ret = 1, status = 0;
	double start, next_tick;
	bool exited = false;
	unsigned ticks = 0;

	parse_args(argc, argv);
	libbpf_set_print(libbpf_print);
	if (!have_bpf_privilege()) {
		warnx("permission denied: needs root (or CAP_BPF and CAP_PERFMON)");
		return 1;
	}
	if (access(env.btf_path, R_OK)) {
		warnx("no kernel BTF at %s: %s (the kernel needs CONFIG_DEBUG_INFO_BTF=y)", env.btf_path,
		      strerror(errno));
		return 1;
	}
	if (elf_version(EV_CURRENT) == EV_NONE) {
		warnx("libelf: %s", elf_errmsg(-1));
		return 1;
	}
	if (env.pid) {
		char state;
		if (proc_stat(env.pid, &state, NULL, NULL)) {
			warnx("no process with PID %d", env.pid);
			return 1;
		}
		if (state == 'Z' || state == 'X') {
			warnx("PID %d has already exited", env.pid);
			return 1;
		}
	}
	struct sigaction sa = {.sa_handler = on_signal};
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	if (env.cmd) {
		ret = command_start(&c);
		if (ret)
			return ret;
	}
	if (open_and_load(&t, env.pid ? env.pid : c.pid, env.cmd != NULL)) {
		ret = 1;
		goto out;
	}
	if (env.cmd) {
		/* The child, held on its pipe, faults no more: the kernel's
		 * counts from here cover what the programs see. */
		proc_stat(c.pid, &(char){0}, &min0, &maj0);
		ret = command_release(&c, &t);
		if (ret)
			goto out;
	} else {
		k.valid = proc_stat(env.pid, &(char){0}, &min0, &maj0) == 0;
		attach_areas(&t);
		if (!target_alive(env.pid)) {
			warnx("PID %d has already exited", env.pid);
			ret = 1;
			goto out;
		}
	}
	if (env.json && env.interval)
		ivs = open_memstream(&intervals, &intervals_len);
	fprintf(stderr, "lgtrace: tracing PID %d%s\n", t.pid, env.duration ? "" : "; Ctrl-C to end");
	start = now_s();
	next_tick = start + env.interval;
	/* Everything since the programs were attached counts: a command's
	 * start, before this point, too. */
	prev = first;
	while (!stop_signal) {
		double now = now_s();

		if (env.duration && now - start >= env.duration)
			break;
		if (env.cmd) {
			struct rusage ru;
			pid_t r = wait4(c.pid, &status, WNOHANG, &ru);
			if (r == c.pid) {
				exited = true;
				c.pid = 0;
				k = rusage_counts(&ru, min0, maj0);
				break;
			}
		} else if (!proc_counts(env.pid, &k, min0, maj0)) {
			exited = true;
			k.valid = false; /* its last counts are gone with it */
			break;
		}
		/* A library loaded later (dlopen, or a command lgtrace could not
		 * stop at its entry point): look again once a second. */
		if (!have[FEAT_USDT] && !have[FEAT_REGISTRY] && ++ticks % (1000 / TICK_MS) == 0)
			attach_areas(&t);
		read_registry(&t);
		if (env.interval && now >= next_tick) {
			collect(&t, &cur);
			snapshot_sub(&delta, &cur, &prev);
			prev = cur;
			next_tick += env.interval;
			if (ivs) {
				fprintf(ivs, "%s\n    {\"t\": %.3f, \"pools\": ", ftell(ivs) ? "," : "",
					now - start);
				json_pools(ivs, &delta, false);
				fputs("}", ivs);
			} else {
				time_t wall = time(NULL);
				char ts[16];
				strftime(ts, sizeof(ts), "%H:%M:%S", localtime(&wall));
				printf("\n%s\n", ts);
				print_table(stdout, &delta);
				fflush(stdout);
			}
		}
		sleep_ms(TICK_MS);
	}
	double secs = now_s() - start;
	if (!exited && env.pid)
		proc_counts(env.pid, &k, min0, maj0); /* just before the last collect() */
	if (!exited && env.cmd) {
		struct rusage ru;
		kill(c.pid, SIGTERM);
		kill(c.pid, SIGCONT);
		if (wait4(c.pid, &status, 0, &ru) == c.pid)
			k = rusage_counts(&ru, min0, maj0);
		c.pid = 0;
	}
	if (exited && !env.json)
		fprintf(stderr, "lgtrace: PID %d exited\n", t.pid);
	collect(&t, &cur);
	snapshot_sub(&delta, &cur, &first);
	if (ivs)
		fclose(ivs);
	print_summary(stdout, &t, &delta, secs, &k, intervals);
	free(intervals);
	/* The command's status when it ended by itself; else lgtrace's own
	 * (0 after -d, 128+N after signal N). */
	ret = stop_signal ? 128 + stop_signal : 0;
	if (env.cmd && exited)
		ret = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
out:
	command_kill(&c);
	tracer_destroy(&t);
	return ret;
}
