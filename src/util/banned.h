/*
 * banned.h - functions that must not be used in librampart, made compile
 * errors.  Include it last in every .c file, after all system headers.
 *
 *   sprintf, vsprintf, strcpy, strcat, strncpy, strncat: unbounded or
 *       error-prone copies; use snprintf or explicit lengths.
 *   strtok, strtok_r: hidden state, modifies input.
 *   atoi, atol, atoll, atof: no error reporting; use strtoll with checks.
 *   gmtime, localtime, ctime, asctime: static buffers / local time; use gmtime_r.
 *   gets: unbounded.
 * memcmp on digests and MACs is not banned by name (it has honest uses);
 * docs/CODE_STYLE.md asks for CRYPTO_memcmp there and review enforces it.
 */
#ifndef RAMPART_UTIL_BANNED_H
#define RAMPART_UTIL_BANNED_H

#define RAMPART_BANNED(func) sorry_##func##_is_a_banned_function

#undef sprintf
#define sprintf(...) RAMPART_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) RAMPART_BANNED(vsprintf)
#undef strcpy
#define strcpy(x, y) RAMPART_BANNED(strcpy)
#undef strcat
#define strcat(x, y) RAMPART_BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) RAMPART_BANNED(strncpy)
#undef strncat
#define strncat(x, y, n) RAMPART_BANNED(strncat)
#undef strtok
#define strtok(x, y) RAMPART_BANNED(strtok)
#undef strtok_r
#define strtok_r(x, y, z) RAMPART_BANNED(strtok_r)
#undef atoi
#define atoi(x) RAMPART_BANNED(atoi)
#undef atol
#define atol(x) RAMPART_BANNED(atol)
#undef atoll
#define atoll(x) RAMPART_BANNED(atoll)
#undef atof
#define atof(x) RAMPART_BANNED(atof)
#undef gmtime
#define gmtime(t) RAMPART_BANNED(gmtime)
#undef localtime
#define localtime(t) RAMPART_BANNED(localtime)
#undef localtime_r
#define localtime_r(t, tm) RAMPART_BANNED(localtime_r)
#undef ctime
#define ctime(t) RAMPART_BANNED(ctime)
#undef asctime
#define asctime(t) RAMPART_BANNED(asctime)
#undef gets
#define gets(x) RAMPART_BANNED(gets)

#endif
