/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Kernel types for the CO-RE BPF programs in bpf/: the header of the target
 * architecture (libbpf-bootstrap layout).  See vmlinux/README.md. */
#if defined(__TARGET_ARCH_x86)
#include "x86/vmlinux.h"
#elif defined(__TARGET_ARCH_arm64)
#include "arm64/vmlinux.h"
#else
#error "vmlinux/: no kernel type header for this architecture (see vmlinux/README.md)"
#endif
