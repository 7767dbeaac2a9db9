/* Scanning a terminal's output text, for the UI's jump scrolling. */
#include "text.h"

static inline unsigned is_control(uint16_t unit) {
  return (unit < 0x20 && unit != '\t' && unit != '\r' && unit != '\n') | ((uint16_t)(unit - 0x7f) < 0x21);
}

long first_control(const uint16_t *text, size_t length) {
  /* A pass with no branch first, which the compiler vectorizes: output is nearly always plain. */
  unsigned found = 0;
  for (size_t i = 0; i < length; i++) found |= is_control(text[i]);
  if (!found) return -1;
  for (size_t i = 0; i < length; i++)
    if (is_control(text[i])) return (long)i;
  return -1;
}
