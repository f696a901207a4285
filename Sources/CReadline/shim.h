#ifndef HUNCH_CREADLINE_SHIM_H
#define HUNCH_CREADLINE_SHIM_H

// GNU readline and history. The accessors below wrap readline's C globals
// (rl_line_buffer, rl_point, rl_instream, ...), which Swift 6 treats as unsafe
// shared mutable state.
#include <stdio.h>
#include <readline/readline.h>
#include <readline/history.h>

static inline FILE *hunch_stdout(void) { return stdout; }
static inline FILE *hunch_stdin(void) { return stdin; }
static inline const char *hunch_rl_line_buffer(void) { return rl_line_buffer; }
static inline int hunch_rl_point(void) { return rl_point; }
static inline int hunch_rl_end(void) { return rl_end; }

#endif
