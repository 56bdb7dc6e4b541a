/* SPDX-License-Identifier: MIT */
/*
 * Log2 histograms, printed in lgtrace's layout (-H):
 *
 *                      ns : count      distribution
 *        256 -> 511       : 3          |**                                      |
 *        512 -> 1023      : 52         |****************************************|
 *
 * Slot i counts the values in [2^i, 2^(i+1)) (slot 0: 0 and 1; the slot
 * function shared with the BPF side is bpf/lgtrace.h's lgt_log2).
 * Thread-safe as far as the FILE is.
 */
#ifndef LG_COMMON_LOG2_HIST_H
#define LG_COMMON_LOG2_HIST_H

#include <stdint.h>
#include <stdio.h>

/*
 * Print the N slots (at most 64) of VALS to F, headed by UNIT ("ns"): the
 * rows from the first to the last non-empty slot, 40 stars for the largest
 * count.  Prints nothing when all slots are empty.
 */
void log2_hist_print(FILE *f, const uint64_t *vals, int n, const char *unit);

#endif
