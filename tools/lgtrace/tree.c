// SPDX-License-Identifier: MIT
/* A traced process tree (tree.h). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "common/procfs.h"
#include "log.h"
#include "tree.h"
#include "lgtrace.skel.h"

/* Ticks between the checks of life (a second at lgtrace's 50 ms tick). */
#define ALIVE_TICKS 20
#define POLL_ENOUGH (-EAGAIN)

static int procs_fd(const struct tree *tr)
{
	return bpf_map__fd(tr->t->skel->maps.procs);
}

/* The image ID the BPF side gave @pid (0 if it has no entry). */
static __u32 map_image(const struct tree *tr, pid_t pid)
{
	struct lgt_proc p;
	__u32 key = (__u32)pid;

	return bpf_map_lookup_elem(procs_fd(tr), &key, &p) ? 0 : p.chain[0];
}

struct tree_proc *tree_find(struct tree *tr, pid_t pid)
{
	for (size_t i = tr->n; i-- > 0;)
		if (tr->v[i].tp.pid == pid)
			return &tr->v[i];
	return NULL;
}

static struct tree_proc *new_proc(struct tree *tr, pid_t pid, pid_t ppid, const char *comm)
{
	struct tree_proc *p;

	if (tr->n == tr->cap) {
		size_t cap = tr->cap ? 2 * tr->cap : 64;
		struct tree_proc *v = realloc(tr->v, cap * sizeof(*v));

		if (!v) {
			if (!tr->enomem)
				lgt_warn("out of memory for the process table: PID %d is counted in the "
					 "pools only",
					 pid);
			tr->enomem = true;
			return NULL;
		}
		tr->v = v;
		tr->cap = cap;
	}
	p = &tr->v[tr->n++];
	memset(p, 0, sizeof(*p));
	p->tp.pid = pid;
	p->ppid = ppid;
	snprintf(p->comm, sizeof(p->comm), "%s", comm ? comm : "?");
	tr->live++;
	return p;
}

/* The command name of @pid from /proc (empty if gone). */
static void proc_comm(pid_t pid, char *buf, size_t len)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	if (read_line(path, buf, len))
		buf[0] = '\0';
}

static int on_event(void *ctx, void *data, size_t size);
static void fold(struct tree *tr, struct tree_proc *p, bool del);

int tree_init(struct tree *tr, struct target *t)
{
	memset(tr, 0, sizeof(*tr));
	tr->t = t;
	tr->rb = ring_buffer__new(bpf_map__fd(t->skel->maps.events), on_event, tr, NULL);
	if (!tr->rb) {
		lgt_warn("ring_buffer__new (process events): %s", strerror(errno));
		return -1;
	}
	return 0;
}

int tree_add(struct tree *tr, pid_t pid)
{
	struct lgt_proc np = {}, old;
	struct tree_proc *p = tree_find(tr, pid);
	__u32 key = (__u32)pid;
	char comm[16];

	/* Traced, or a zombie not reaped yet (still in cgroup.procs). */
	if (p && (!p->exited || !target_alive(pid)))
		return 0;
	np.chain[0] = (__u32)__atomic_fetch_add(&tr->t->skel->data->next_image, 1, __ATOMIC_SEQ_CST);
	/* BPF_NOEXIST: a fork may have put it there first, with its chain;
	 * but an exited process's entry goes to the new one with its PID. */
	if (bpf_map_update_elem(procs_fd(tr), &key, &np, BPF_NOEXIST)) {
		if (errno != EEXIST)
			return errno == E2BIG ? -ENOSPC : -errno;
		if (!bpf_map_lookup_elem(procs_fd(tr), &key, &old) && old.exited) {
			if (p)
				fold(tr, p, true);
			if (bpf_map_update_elem(procs_fd(tr), &key, &np, BPF_ANY))
				return -errno;
		}
	}
	proc_comm(pid, comm, sizeof(comm));
	p = new_proc(tr, pid, 0, comm);
	if (!p)
		return -ENOMEM;
	p->tp.image = map_image(tr, pid);
	target_attach_areas(tr->t, &p->tp);
	return 0;
}

/* A process the BPF side stopped: look for its areas, let it go on. */
static void resume(struct tree *tr, struct tree_proc *p, pid_t pid)
{
	if (p)
		target_attach_areas(tr->t, &p->tp);
	tr->stops++;
	if (kill(pid, SIGCONT) && errno != ESRCH)
		lgt_warn("kill(%d, SIGCONT): %s", pid, strerror(errno));
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct tree *tr = ctx;
	const struct lgt_event *e = data;
	struct tree_proc *p, *parent;
	pid_t pid;

	if (size < sizeof(*e))
		return 0;
	pid = (pid_t)e->tgid;
	p = tree_find(tr, pid);
	switch (e->type) {
	case LGT_EV_FORK:
		/* A PID in use again: the process that had it is gone, if
		 * its exit was missed. */
		if (p && !p->exited) {
			p->exited = true;
			p->exit_tick = tr->tick;
			tr->live--;
		}
		p = new_proc(tr, pid, (pid_t)e->ppid, e->comm);
		if (!p)
			break;
		/* tree_find's pointer may have moved with the table. */
		parent = tree_find(tr, (pid_t)e->ppid);
		p->tp.image = map_image(tr, pid);
		/* Its memory is a copy of its parent's: the registry too. */
		if (parent) {
			p->tp.registry_addr = parent->tp.registry_addr;
			p->tp.registry_seen = parent->tp.registry_seen;
		} else {
			p->rescan = true;
		}
		break;
	case LGT_EV_EXEC:
		if (!p)
			p = new_proc(tr, pid, (pid_t)e->ppid, e->comm);
		if (p) {
			snprintf(p->comm, sizeof(p->comm), "%.15s", e->comm);
			p->tp.image = map_image(tr, pid);
			p->tp.registry_addr = 0;
			p->tp.registry_seen = 0;
			p->tp.warned_no_lib = false;
		}
		if (e->stopped) {
			/* Its executable is new: the entry-point stop for it,
			 * then what it maps already (a static executable). */
			target_entry_uprobe(tr->t, pid);
			resume(tr, p, pid);
		} else if (p) {
			p->rescan = true;
		}
		break;
	case LGT_EV_ENTRY:
		if (p)
			p->rescan = false;
		if (e->stopped)
			resume(tr, p, pid);
		else if (p)
			target_attach_areas(tr->t, &p->tp);
		break;
	case LGT_EV_EXIT:
		if (p && !p->exited) {
			p->exited = true;
			p->exit_tick = tr->tick;
			tr->live--;
		}
		break;
	}
	/* Handled (consumed even when the poll stops here). */
	return ++tr->polled >= POLL_EVENTS ? POLL_ENOUGH : 0;
}

int tree_poll(struct tree *tr, int timeout_ms)
{
	int n;

	tr->polled = 0;
	n = ring_buffer__poll(tr->rb, timeout_ms);
	return n < 0 && n != POLL_ENOUGH ? n : 0;
}

/* Read an exited process's counts; with @del, delete its map entry. */
static void fold(struct tree *tr, struct tree_proc *p, bool del)
{
	struct lgt_proc v;
	__u32 key = (__u32)p->tp.pid;

	if (p->folded)
		return;
	/* Not a newer process with the same PID (another image). */
	if (!bpf_map_lookup_elem(procs_fd(tr), &key, &v) && v.chain[0] == p->tp.image) {
		p->faults = v.faults;
		p->major = v.major;
		p->swapins = v.swapins;
		p->exit_minflt = v.exit_minflt;
		p->exit_majflt = v.exit_majflt;
		if (del && v.exited)
			bpf_map_delete_elem(procs_fd(tr), &key);
	}
	p->folded = del;
}

void tree_tick(struct tree *tr)
{
	bool check = ++tr->tick % ALIVE_TICKS == 0;

	for (size_t i = 0; i < tr->n; i++) {
		struct tree_proc *p = &tr->v[i];

		if (p->exited) {
			/* A tick later: the exit event comes before the last
			 * of a process's counts are in. */
			if (!p->folded && tr->tick > p->exit_tick + 1)
				fold(tr, p, true);
			continue;
		}
		/* Once a second also where no liblgalloc was found: one loaded
		 * later (dlopen), or past an entry point it could not be stopped at. */
		if (p->rescan || (check && !p->tp.registry_addr)) {
			p->rescan = false;
			target_attach_areas(tr->t, &p->tp);
		} else {
			target_read_registry(tr->t, &p->tp);
		}
		if (check && !target_alive(p->tp.pid)) {
			p->exited = true;
			p->exit_tick = tr->tick;
			tr->live--;
		}
	}
}

void tree_finish(struct tree *tr)
{
	for (size_t i = 0; i < tr->n; i++)
		fold(tr, &tr->v[i], false);
}

struct proc_row *tree_rows(const struct tree *tr, size_t *n)
{
	struct proc_row *rows = tr->n ? calloc(tr->n, sizeof(*rows)) : NULL;

	*n = rows ? tr->n : 0;
	for (size_t i = 0; rows && i < tr->n; i++) {
		const struct tree_proc *p = &tr->v[i];

		rows[i] = (struct proc_row){p->tp.pid, p->ppid, "", p->faults, p->major, p->swapins};
		snprintf(rows[i].comm, sizeof(rows[i].comm), "%s", p->comm);
	}
	return rows;
}

void tree_free(struct tree *tr)
{
	ring_buffer__free(tr->rb);
	free(tr->v);
	memset(tr, 0, sizeof(*tr));
}
