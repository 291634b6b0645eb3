/*
 * Text that reaches users (error messages, warnings): always valid UTF-8,
 * never a control character, cut only between characters. File names, pins,
 * JSON keys and certificate names come from outside and may be none of these.
 */
#ifndef MXTLS_TEXT_H
#define MXTLS_TEXT_H

#include <stddef.h>

/*
 * Rewrite the NUL-terminated buf (size bytes) in place: invalid UTF-8 bytes,
 * C0/C1 controls and DEL become "\xNN"; what no longer fits is cut at a
 * character boundary and marked "...". If truncated is set, the text was
 * already cut by a formatter: an incomplete character at its end is dropped
 * rather than escaped, and the "..." mark is added.
 */
void mx_text_clean(char *buf, size_t size, int truncated);

/* The length of the longest prefix of s, at most max bytes, that ends between characters. */
size_t mx_utf8_cut(const char *s, size_t max);

/* Bytes of the valid UTF-8 character at s (1 to 4), or 0 if s[0..n) does not start one. */
size_t mx_utf8_char(const unsigned char *s, size_t n);

/* Is s[0..n) valid UTF-8 without control characters? */
int mx_text_is_clean(const char *s, size_t n);

#endif
