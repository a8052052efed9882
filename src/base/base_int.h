/* base_int: helpers shared by files of src/base/ only (and its tests); not part
 * of the module's interface. */
#ifndef MK_BASE_INT_H
#define MK_BASE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Looks at the UTF-8 sequence starting at p[0] (n >= 1). Returns true and sets
 * *len to its length (1..4) when it is valid; otherwise returns false and sets
 * *len to the length of its maximal subpart (>= 1), the bytes that one U+FFFD
 * replaces (Unicode 15.0 section 3.9, "U+FFFD Substitution of Maximal Subparts"). */
bool mk_utf8_seq(const uint8_t *p, size_t n, size_t *len);

#endif /* MK_BASE_INT_H */
