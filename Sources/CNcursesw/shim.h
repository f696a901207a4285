#ifndef HUNCH_CNCURSESW_SHIM_H
#define HUNCH_CNCURSESW_SHIM_H

// Wide-character ncurses. The accessors below wrap C globals (stdscr, COLORS,
// COLOR_PAIRS, LINES, COLS), which Swift 6 treats as unsafe shared mutable state.
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#include <locale.h>
#include <ncursesw/curses.h>

static inline WINDOW *hunch_stdscr(void) { return stdscr; }
static inline int hunch_colors(void) { return COLORS; }
static inline int hunch_color_pairs(void) { return COLOR_PAIRS; }
static inline int hunch_lines(void) { return LINES; }
static inline int hunch_cols(void) { return COLS; }

#endif
