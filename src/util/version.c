/* version.c - the library version. */
#include "util/common.h"
#include "rampart/version.h"
#include "util/banned.h"

const char *rampart_version(void)
{
    return RAMPART_VERSION_STRING;
}
