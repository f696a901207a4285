#ifndef HUNCH_CNCURSESW_SHIM_H
#define HUNCH_CNCURSESW_SHIM_H

// Wide-character ncurses. The accessors below wrap C globals (stdscr, COLORS,
// COLOR_PAIRS, LINES, COLS) and macros (attributes, key codes), which Swift 6
// treats as unsafe shared mutable state or does not import.
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#include <locale.h>
#include <langinfo.h>
#include <wchar.h>
#include <ncursesw/curses.h>

// glibc declares wcwidth only under _XOPEN_SOURCE, which would hide other declarations.
extern int wcwidth(wchar_t c);

static inline WINDOW *hunch_stdscr(void) { return stdscr; }
static inline int hunch_colors(void) { return COLORS; }
static inline int hunch_color_pairs(void) { return COLOR_PAIRS; }
static inline int hunch_lines(void) { return LINES; }
static inline int hunch_cols(void) { return COLS; }

// Starts curses on standard output and input; returns 0 when the terminal type is
// unknown (where initscr would exit the process instead).
static inline int hunch_start_curses(void) { return newterm(NULL, stdout, stdin) != NULL; }

static inline int hunch_wcwidth(unsigned int c) { return wcwidth((wchar_t)c); }
static inline const char *hunch_codeset(void) { return nl_langinfo(CODESET); }

static inline attr_t hunch_a_normal(void) { return A_NORMAL; }
static inline attr_t hunch_a_bold(void) { return A_BOLD; }
static inline attr_t hunch_a_dim(void) { return A_DIM; }
static inline attr_t hunch_a_underline(void) { return A_UNDERLINE; }
static inline attr_t hunch_a_reverse(void) { return A_REVERSE; }

static inline int hunch_key_code_yes(void) { return KEY_CODE_YES; }
static inline int hunch_key_resize(void) { return KEY_RESIZE; }
static inline int hunch_key_ppage(void) { return KEY_PPAGE; }
static inline int hunch_key_npage(void) { return KEY_NPAGE; }
static inline int hunch_key_up(void) { return KEY_UP; }
static inline int hunch_key_down(void) { return KEY_DOWN; }
static inline int hunch_key_left(void) { return KEY_LEFT; }
static inline int hunch_key_right(void) { return KEY_RIGHT; }
static inline int hunch_key_home(void) { return KEY_HOME; }
static inline int hunch_key_end(void) { return KEY_END; }
static inline int hunch_key_dc(void) { return KEY_DC; }
static inline int hunch_key_backspace(void) { return KEY_BACKSPACE; }
static inline int hunch_key_enter(void) { return KEY_ENTER; }
static inline int hunch_key_btab(void) { return KEY_BTAB; }
static inline int hunch_key_f1(void) { return KEY_F(1); }

// Reads one key: returns the character or key code in *value and whether it is a key code (1), a character (0) or nothing (-1).
static inline int hunch_get_key(WINDOW *window, unsigned int *value) {
    wint_t key = 0;
    int result = wget_wch(window, &key);
    *value = (unsigned int)key;
    if (result == KEY_CODE_YES) return 1;
    if (result == OK) return 0;
    return -1;
}

#endif
