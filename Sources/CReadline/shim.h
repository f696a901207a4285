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
static inline const char *hunch_rl_display_prompt(void) { return rl_display_prompt; }

// Setup for drawing readline's line inside ncurses: readline reads keys through
// getc_function and calls redisplay_function instead of writing to the terminal.
static inline void hunch_rl_set_getc_function(rl_getc_func_t *function) { rl_getc_function = function; }
static inline void hunch_rl_set_redisplay_function(rl_voidfunc_t *function) { rl_redisplay_function = function; }
static inline void hunch_rl_set_prep_term_function(rl_vintfunc_t *function) { rl_prep_term_function = function; }
static inline void hunch_rl_set_deprep_term_function(rl_voidfunc_t *function) { rl_deprep_term_function = function; }
static inline void hunch_rl_set_input_available_hook(rl_hook_func_t *function) { rl_input_available_hook = function; }
static inline void hunch_rl_set_outstream(FILE *stream) { rl_outstream = stream; }
static inline void hunch_rl_set_instream(FILE *stream) { rl_instream = stream; }
static inline void hunch_rl_set_catch_signals(int value) { rl_catch_signals = value; rl_catch_sigwinch = value; }
static inline void hunch_rl_set_change_environment(int value) { rl_change_environment = value; }
static inline void hunch_rl_set_readline_name(const char *name) { rl_readline_name = name; }
static inline void hunch_rl_set_point(int point) { rl_point = point; }
static inline void hunch_rl_set_bell_style_none(void) { rl_variable_bind("bell-style", "none"); }
static inline int hunch_rl_is_searching(void) { return RL_ISSTATE(RL_STATE_ISEARCH | RL_STATE_NSEARCH) ? 1 : 0; }
static inline void hunch_rl_set_inhibit_completion(int value) { rl_inhibit_completion = value; }

#endif
