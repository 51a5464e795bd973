// The target is its header alone (`include/CPrefetch.h`); a C target needs one source file to build.
#include "CPrefetch.h"
