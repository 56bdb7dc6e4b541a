// SPDX-License-Identifier: MIT
/*
 * lgtrace's target process: ELF scanning (stapsdt notes, the registry
 * symbol, the entry point), the area registry through process_vm_readv and
 * the public <lgalloc/registry.h>, and attaching to the target.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <lgalloc.h>
#include <lgalloc/registry.h>

#include "common/procfs.h"
#include "common/timeutil.h"
#include "log.h"
#include "target.h"
#include "lgtrace.skel.h"

/* The BPF side cannot include lgalloc.h: tie its class bounds here. */
_Static_assert(LGT_MIN_CLASS == LGALLOC_MIN_CLASS && LGT_NUM_CLASS == LGALLOC_NUM_CLASSES,
	       "lgtrace's pools are lgalloc's size classes");

/* ---- ELF files mapped by the target: USDT probe and area registry ---- */

/* stapsdt note: three addresses then "provider\0name\0args\0". */
static bool note_is_area_map(const char *desc, size_t len)
{
	size_t off = 3 * 8;
	static const char want[] = "lgalloc\0area_map";

	return len >= off + sizeof(want) && !memcmp(desc + off, want, sizeof(want));
}

static bool note_is_bench(const char *desc, size_t len)
{
	size_t off = 3 * 8;
	static const char want[] = "lgbench\0row_start";

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
		if (nhdr.n_type == 3 && nhdr.n_namesz == 8 &&
		    !memcmp((char *)data->d_buf + name_off, "stapsdt", 8) &&
		    note_is_bench((char *)data->d_buf + desc_off, nhdr.n_descsz))
			info->has_bench = true;
	}
}

static void scan_symbols(Elf *elf, Elf_Scn *scn, GElf_Shdr *shdr, struct elf_info *info)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t n = shdr->sh_entsize ? shdr->sh_size / shdr->sh_entsize : 0;
	GElf_Sym sym;

	for (size_t i = 0; data && i < n; i++) {
		const char *name;

		if (!gelf_getsym(data, (int)i, &sym) || sym.st_shndx == SHN_UNDEF)
			continue;
		name = elf_strptr(elf, shdr->sh_link, sym.st_name);
		if (name && !strcmp(name, LGALLOC_REGISTRY_SYMBOL) && !info->has_registry) {
			info->has_registry = true;
			info->registry = sym.st_value;
		}
		if (name && !strcmp(name, "lgbench_probe_ctl"))
			info->bench_ctl = sym.st_value;
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

int target_init(void)
{
	if (elf_version(EV_CURRENT) == EV_NONE) {
		lgt_warn("libelf: %s", elf_errmsg(-1));
		return -1;
	}
	return 0;
}

bool target_alive(pid_t pid)
{
	struct proc_stat st;

	return proc_stat_read(pid, &st) == 0 && st.state != 'Z' && st.state != 'X';
}

/* ---- the area registry ---- */

/* scan_elf() through the cache of files already scanned. */
static int scan_elf_cached(struct target *t, const char *path, struct elf_info *info)
{
	struct stat st;
	int err;

	if (stat(path, &st))
		return -errno;
	for (int i = 0; i < t->cache_count; i++) {
		if (t->cache[i].id.dev == st.st_dev && t->cache[i].id.ino == st.st_ino) {
			*info = t->cache[i].info;
			return t->cache[i].err;
		}
	}
	err = scan_elf(path, info);
	if (t->cache_count < MAX_ELF_CACHE) {
		t->cache[t->cache_count].id = (struct file_id){st.st_dev, st.st_ino};
		t->cache[t->cache_count].info = *info;
		t->cache[t->cache_count++].err = err;
	}
	return err;
}

static int add_area(struct target *t, __u32 image, __u64 base, __u64 len, __u32 class_log2)
{
	int fd = bpf_map__fd(t->skel->maps.areas);
	__u32 pool = class_log2 - LGT_MIN_CLASS;
	struct lgt_area_key key;

	if (class_log2 < LGT_MIN_CLASS || class_log2 >= LGT_MIN_CLASS + LGT_NUM_CLASS)
		return -EINVAL;
	for (int i = 0; i < LGT_MAX_BLOCKS && len; i++) {
		unsigned b = lgt_next_block(base, len);

		lgt_area_key_init(&key, image, base, 64 - b);
		if (b < 21)
			t->skel->bss->fine_areas = true;
		/* A full map (E2BIG) is counted, reported at the end, and the walk
		 * goes on: the area's other prefixes may replace existing keys. */
		if (bpf_map_update_elem(fd, &key, &pool, BPF_ANY)) {
			if (errno != E2BIG && errno != ENOSPC)
				return -errno;
			t->area_fail++;
		}
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

int target_read_registry(struct target *t, struct tproc *p)
{
	struct lgalloc_area_registry reg;
	struct lgalloc_area_record rec[256];

	if (!p->registry_addr)
		return 0;
	if (read_target(p->pid, p->registry_addr, &reg, sizeof(reg)) != (ssize_t)sizeof(reg))
		return -errno;
	if (reg.magic != LGALLOC_REGISTRY_MAGIC || reg.version != LGALLOC_REGISTRY_VERSION ||
	    reg.record_size != sizeof(rec[0]) || reg.count > reg.capacity)
		return -EPROTO;
	while (p->registry_seen < reg.count) {
		__u32 n = reg.count - p->registry_seen;

		if (n > 256)
			n = 256;
		ssize_t want = (ssize_t)(n * sizeof(rec[0]));
		if (read_target(p->pid, reg.records + (__u64)p->registry_seen * sizeof(rec[0]), rec,
				(size_t)want) != want)
			return -errno;
		for (__u32 i = 0; i < n; i++) {
			int err = add_area(t, p->image, rec[i].base, rec[i].len, rec[i].class_log2);
			if (err)
				return err;
		}
		p->registry_seen += n;
		t->registry_seen += n;
	}
	return 0;
}

static ssize_t write_target(pid_t pid, __u64 addr, const void *buf, size_t len)
{
	struct iovec local = {(void *)buf, len}, remote = {(void *)(uintptr_t)addr, len};

	return process_vm_writev(pid, &local, 1, &remote, 1, 0);
}

/* ---- attaching ---- */

/* Whether @id is among the first @n of @ids; else add it there if there is room. */
static bool seen_file(struct file_id *ids, int n, const struct stat *st)
{
	for (int i = 0; i < n; i++)
		if (ids[i].dev == st->st_dev && ids[i].ino == st->st_ino)
			return true;
	return false;
}

/* The USDT probe in @file (mapped by process @p as @name). */
static void attach_usdt(struct target *t, struct tproc *p, const char *file, const char *name)
{
	struct stat st;
	struct bpf_link *l;

	if (t->usdt_count >= MAX_USDT_FILES || stat(file, &st))
		return;
	if (t->all_procs && seen_file(t->usdt_files, t->usdt_count, &st))
		return;
	/* With all_procs once per file, for every process: a uprobe is on
	 * the file, and processes that map it later get it too. */
	l = bpf_program__attach_usdt(t->skel->progs.area_map, t->all_procs ? -1 : p->pid, file, "lgalloc",
				     "area_map", NULL);
	if (!l) {
		lgt_warn("cannot attach lgalloc:area_map in %s: %s", name, strerror(errno));
		return;
	}
	t->usdt_files[t->usdt_count] = (struct file_id){st.st_dev, st.st_ino};
	t->usdt_links[t->usdt_count++] = l;
	t->have[FEAT_USDT] = true;
}

/*
 * --bench: lgbench's row probes and op_end on @file for process @p alone,
 * then the selection written into its lgbench_probe_ctl (at @ctl in its
 * memory): op_begin is not attached, causes are decided at op_end.  The
 * first process with the probes is the one traced; 0 or -errno after a
 * message.
 */
static int write_selection(struct target *t, struct tproc *p, const char *name, __u64 ctl)
{
	__u32 stride = t->bench_stride, version = 0;
	__u64 slow_ns = t->bench_slow_ns;
	int err;

	if (read_target(p->pid, ctl, &version, sizeof(version)) != (ssize_t)sizeof(version)) {
		err = -errno;
		lgt_warn("--bench: cannot read lgbench_probe_ctl in PID %d (%s): %s", p->pid, name,
			 strerror(-err));
		return err;
	}
	if (version < LGBENCH_CTL_VERSION_MIN || version > LGBENCH_CTL_VERSION_MAX) {
		lgt_warn("--bench: %s (PID %d) has lgbench's probes version %u; this lgtrace reads versions "
			 "%d to %d "
			 "(rebuild lgbench and lgtrace from the same tree)",
			 name, p->pid, version, LGBENCH_CTL_VERSION_MIN, LGBENCH_CTL_VERSION_MAX);
		return -EPROTO;
	}
	/* Each field on its own, slow_ns first: lgbench's threads load them
	 * (atomically, each) while they run; one 12-byte copy could be seen
	 * torn inside slow_ns. */
	if (write_target(p->pid, ctl + LGBENCH_CTL_SLOW_NS_OFF, &slow_ns, sizeof(slow_ns)) !=
		    (ssize_t)sizeof(slow_ns) ||
	    write_target(p->pid, ctl + LGBENCH_CTL_STRIDE_OFF, &stride, sizeof(stride)) !=
		    (ssize_t)sizeof(stride)) {
		err = -errno;
		lgt_warn("--bench: cannot write lgbench_probe_ctl in PID %d: %s", p->pid, strerror(-err));
		return err;
	}
	return 0;
}

static int attach_bench(struct target *t, struct tproc *p, const char *file, const char *name, __u64 ctl)
{
	static const char *const probes[] = {"row_start", "measure_start", "measure_end", "row_end",
					     "op_end"};
	struct bpf_program *progs[] = {t->skel->progs.bench_row_start, t->skel->progs.bench_measure_start,
				       t->skel->progs.bench_measure_end, t->skel->progs.bench_row_end,
				       t->skel->progs.bench_op_end};
	int err;

	/* Before the probes can fire: the weights of sampled operations. */
	t->skel->bss->bench_stride = t->bench_stride;
	t->skel->bss->bench_slow_ns = t->bench_slow_ns;
	for (int i = 0; i < 5; i++) {
		t->bench_links[i] =
			bpf_program__attach_usdt(progs[i], p->pid, file, "lgbench", probes[i], NULL);
		if (!t->bench_links[i]) {
			err = -errno;
			lgt_warn("--bench: cannot attach lgbench:%s in %s (PID %d): %s", probes[i], name,
				 p->pid, strerror(-err));
			return err;
		}
	}
	err = write_selection(t, p, name, ctl);
	if (err)
		return err;
	t->bench_pid = p->pid;
	return 0;
}

/* Files are opened through /proc/PID/root, so that a target in another
 * mount namespace (a container) works too. */
void target_attach_areas(struct target *t, struct tproc *p)
{
	char path[64], line[4352], file[PATH_MAX], *prev = NULL;
	bool has_lib = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", p->pid);
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
		snprintf(file, sizeof(file), "/proc/%d/root%s", p->pid, name);
		if (scan_elf_cached(t, file, &info))
			continue;
		if (info.has_probe) {
			attach_usdt(t, p, file, name);
			has_lib = true;
		}
		/* lgbench executes itself again at its start (bench/rows_peer.c):
		 * the new image needs the selection too (the probes, on the
		 * file for that PID, stay). */
		if (t->bench && info.has_bench && info.bench_ctl && t->bench_pid == p->pid) {
			/* Without it the new image reports nothing (its stride
			 * is the environment's): the report would be empty. */
			int err = write_selection(
				t, p, name, info.bench_ctl + (info.is_dyn ? start - info.first_vaddr : 0));
			if (err && !t->bench_err)
				t->bench_err = err;
		} else if (t->bench && info.has_bench && !t->bench_pid && !t->bench_err) {
			if (!info.bench_ctl) {
				lgt_warn("--bench: %s has lgbench's probes but no dynamic symbol "
					 "lgbench_probe_ctl",
					 name);
				t->bench_err = -ENOENT;
			} else {
				t->bench_err = attach_bench(
					t, p, file, name,
					info.bench_ctl + (info.is_dyn ? start - info.first_vaddr : 0));
			}
		}
		if (info.has_registry && !p->registry_addr) {
			p->registry_addr = info.registry + (info.is_dyn ? start - info.first_vaddr : 0);
			t->have[FEAT_REGISTRY] = true;
			has_lib = true;
		}
	}
	free(prev);
	fclose(f);
	/* After the USDT probe: an area is in the registry before the probe
	 * fires, so none falls between the two. */
	int err = target_read_registry(t, p);
	if (err && err != -ESRCH)
		lgt_warn("cannot read the area registry of PID %d: %s", p->pid, strerror(-err));
	/* With a tree, most processes (shells, make) have no liblgalloc. */
	if (!has_lib && !t->all_procs && !p->warned_no_lib) {
		lgt_warn("PID %d has no liblgalloc loaded (yet): addresses count as \"other\"", p->pid);
		p->warned_no_lib = true;
	}
}

int target_entry_uprobe(struct target *t, pid_t pid)
{
	LIBBPF_OPTS(bpf_uprobe_opts, uo);
	struct lgt_file_key key = {};
	struct elf_info info;
	char file[64];
	struct stat st;
	struct bpf_link *l;
	__u32 one = 1;
	int err;

	snprintf(file, sizeof(file), "/proc/%d/exe", (int)pid);
	if (stat(file, &st))
		return -errno;
	if (seen_file(t->entry_files, t->entry_count, &st))
		return 0;
	if (t->entry_count >= MAX_ENTRY_FILES)
		err = -ENOSPC;
	else if ((err = scan_elf_cached(t, file, &info)) == 0 && !info.entry)
		err = -ENOEXEC;
	if (!err) {
		l = bpf_program__attach_uprobe_opts(t->skel->progs.entry_stop, -1, file, (size_t)info.entry,
						    &uo);
		err = l ? 0 : -errno;
	}
	if (err) {
		if (!t->warned_entry)
			lgt_warn("PID %d: cannot stop it at its entry point (%s); areas it maps at once may "
				 "count as \"other\"",
				 pid, strerror(-err));
		t->warned_entry = true;
		return err;
	}
	t->entry_files[t->entry_count] = (struct file_id){st.st_dev, st.st_ino};
	t->entry_links[t->entry_count++] = l;
	/* An exec of it now stops at the entry point only (lgtrace.bpf.c). */
	key.ino = st.st_ino;
	key.dev = (major(st.st_dev) << 20) | minor(st.st_dev);
	bpf_map_update_elem(bpf_map__fd(t->skel->maps.entry_files), &key, &one, BPF_ANY);
	return 0;
}

void target_detach(struct target *t)
{
	for (int i = 0; i < 5; i++) {
		bpf_link__destroy(t->bench_links[i]);
		t->bench_links[i] = NULL;
	}
	for (int i = 0; i < t->usdt_count; i++)
		bpf_link__destroy(t->usdt_links[i]);
	t->usdt_count = 0;
	for (int i = 0; i < t->entry_count; i++)
		bpf_link__destroy(t->entry_links[i]);
	t->entry_count = 0;
}
