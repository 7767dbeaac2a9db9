/* Scanning a terminal's output, for the UI's jump scrolling. */
#ifndef BD_TEXT_H
#define BD_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* Index of the first byte of UTF-8 text that starts a control character
 * other than TAB, CR and LF (C0, DEL or C1: what can move the cursor up or
 * back a line, or read or restyle the screen), or -1 when there is none. */
long first_control(const uint8_t *text, size_t length);

#endif
