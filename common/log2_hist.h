/* SPDX-License-Identifier: MIT */
/*
 * Log2 histograms printed the way libbpf-tools' print_log2_hist() prints
 * them (biolatency, runqlat...):
 *
 *      nsecs               : count    distribution
 *        256 -> 511        : 3        |**                                      |
 *        512 -> 1023       : 52       |****************************************|
 *
 * Slot i counts the values in [2^i, 2^(i+1)) (slot 0: 0 and 1).  Thread-safe
 * as far as the FILE is.
 */
#ifndef LG_COMMON_LOG2_HIST_H
#define LG_COMMON_LOG2_HIST_H

#include <stdint.h>
#include <stdio.h>

/* The slot of VALUE: floor(log2(VALUE)), 0 for 0 and 1. */
unsigned int log2_slot(uint64_t value);

/*
 * Print the N slots of VALS to F, headed by VAL_TYPE ("nsecs", "usecs"):
 * the rows from the first to the last non-empty slot (libbpf-tools starts
 * at slot 0; leading empty rows of nanosecond latencies say nothing), stars
 * scaled to the largest count (40 wide; 20, with wider columns, when a slot
 * above 32 is used).  Prints nothing when all slots are empty.
 */
void log2_hist_print(FILE *f, const uint64_t *vals, int n, const char *val_type);

#endif
