/* Scanning a terminal's output text, for the UI's jump scrolling. */
#ifndef BD_TEXT_H
#define BD_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* Index of the first UTF-16 unit of text that is a control character other
 * than TAB, CR and LF (C0, DEL or C1: what can move the cursor up or back a
 * line, or read or restyle the screen), or -1 when there is none. */
long first_control(const uint16_t *text, size_t length);

#endif
