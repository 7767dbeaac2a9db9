/* Scanning a terminal's output, for the UI's jump scrolling. */
#include "text.h"

/* UTF-8 encodes the C1 controls (U+0080..U+009F) as 0xC2 0x80..0x9F. */
#define C1_LEAD 0xc2

/* With & and | only, no branch: the compiler vectorizes the scan below. */
static inline unsigned is_c0_or_del(uint8_t byte) { return ((byte < 0x20) & (byte != '\t') & (byte != '\r') & (byte != '\n')) | (byte == 0x7f); }

/* A C1 lead at the very end counts: what follows it is not known. */
static int is_control_at(const uint8_t *text, size_t length, size_t i) {
  if (is_c0_or_del(text[i])) return 1;
  return text[i] == C1_LEAD && (i + 1 == length || (text[i + 1] >= 0x80 && text[i + 1] <= 0x9f));
}

long first_control(const uint8_t *text, size_t length) {
  /* A pass with no branch first, vectorized (see binding.gyp): output is nearly always plain. */
  unsigned maybe = 0;
  for (size_t i = 0; i < length; i++) maybe |= is_c0_or_del(text[i]) | (text[i] == C1_LEAD);
  if (!maybe) return -1;
  for (size_t i = 0; i < length; i++)
    if (is_control_at(text, length, i)) return (long)i;
  return -1;
}
